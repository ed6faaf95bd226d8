package defect

// foundation lists the defects declared in defect.go.
func foundation() []Name {
	return []Name{
		AllowGET, AllowDuplicateParams, EmptyParamAsValue, RejectUnknownParams, AcceptJSONBody,
		AcceptQueryCredentials, AllowMultipleAuth, NoClientAuth, IgnoreAssertionType, FirstJWTOfList,
		IgnoreClientIDParam, RequireClientIDParam, IgnoreAuthMethod, IgnoreRegisteredAlg,
		UnknownClientInvalidGrant, BasicWithoutChallenge,
		IgnoreIssuer, IgnoreSubject, FoldCaseClientID, IgnoreAudience, NormalizeAudience,
		RejectIssuerAudience, AcceptTokenEndpointAudience, RejectTokenEndpointAudience,
		AcceptAudienceArray, AcceptSingleElementArray, AllowMissingExp, IgnoreExpiry, UnboundedLifetime,
		IgnoreNotBefore, NoClockSkew, AcceptFutureIat, AllowMissingJTI, IgnoreReplay, RejectUnknownClaims,
		RejectTypedAssertion, RequireTyp, IgnoreTyp, SkipSignatureCheck, AnyClientKey,
		AcceptAlgNone, IgnoreAlgAllowlist, CaseInsensitiveAlg, IgnoreCrit, AnyPSSSalt, IgnoreKeyAlg,
		TrustEmbeddedJWK, HMACWithPublicKey, RejectRSA, RejectEC, RejectEdDSA, RejectHMAC,
		GrantIgnoreSignature, GrantWrongErrorCode, GrantIgnoreExpiry, GrantSkipClientAuth,
		GrantIgnoreAudience, GrantIgnoreIssuer, GrantIgnoreSubject, GrantAnyIssuerKey,
		GrantIgnoreClientGrants, IgnoreScope, RejectGrant, GrantRejectTokenEndpointAud, UnsupportedGrantWrongCode, GrantMissingAssertionCode, AcceptClientAssertionAsGrant,
		NoCacheControl, NoPragma, ErrorStatus500, ReflectInput, AccessTokenUntyped, AccessTokenNoJTI,
		AccessTokenWrongIss, AccessTokenWrongSub, AccessTokenUnknownKid, MetadataIssuerSlash,
		MetadataNoTokenEndpoint, MetadataNoSigningAlgs, MetadataAdvertiseNone, MetadataNoGrantType,
		MetadataEmptyArray, NoOAuthMetadata, MetadataNotJSON, JWKSPrivateMembers, JWKSNoKeysArray,
		JWKSDuplicateKid, JWKSWeakKey,
	}
}
