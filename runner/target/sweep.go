package target

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// LabelOwnerPID and LabelOwnerHost name the assay process that started a
// container: its pid and its host name. A container whose owner no longer
// exists (killed with SIGKILL, a crashed CI job) is swept by the next run
// on the same host (SweepOrphans).
const (
	LabelOwnerPID  = "io.assay.pid"
	LabelOwnerHost = "io.assay.host"
)

// OwnerLabels are the labels that let SweepOrphans find a container once
// the process pid on host is gone.
func OwnerLabels(pid int, host string) map[string]string {
	return map[string]string{LabelOwnerPID: strconv.Itoa(pid), LabelOwnerHost: host}
}

// SweepOrphans force-removes the containers this package started for an
// assay process on host that no longer exists (alive reports whether a pid
// is running). Containers of live processes, of other hosts sharing the
// engine, and without owner labels are left alone. It returns the IDs it
// removed.
func SweepOrphans(ctx context.Context, host string, alive func(pid int) bool) ([]string, error) {
	api, cancel := context.WithTimeout(ctx, stopAPITimeout)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(api)
	if err != nil {
		return nil, fmt.Errorf("connect to docker: %w", err)
	}
	defer cli.Close()
	f := client.Filters{}.Add("label", LabelTarget+"=true").Add("label", LabelOwnerHost+"="+host)
	list, err := cli.ContainerList(api, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, fmt.Errorf("list assay containers: %w", err)
	}
	var removed []string
	var errs []error
	for _, it := range list.Items {
		pid, err := strconv.Atoi(it.Labels[LabelOwnerPID])
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		if _, err := cli.ContainerRemove(api, it.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("remove container %s: %w", it.ID, err))
			continue
		}
		removed = append(removed, it.ID)
	}
	return removed, errors.Join(errs...)
}
