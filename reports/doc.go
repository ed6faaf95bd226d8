// Package reports turns a Ginkgo run into assay's versioned report
// (reports/v1) and renders that report as JSON, JUnit XML, Markdown, HTML
// and terminal output. Every writer reads only a v1.Report, so all formats
// agree; nothing here makes HTTP requests or declares Ginkgo nodes.
package reports
