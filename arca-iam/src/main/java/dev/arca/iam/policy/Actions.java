package dev.arca.iam.policy;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The action names a policy may use. Service prefixes are s3, iam and sts. For s3 every name is
 * checked against the actions AWS defines ("Actions defined by Amazon S3" in the Service
 * Authorization Reference), so a typo such as "s3:GetObjects" is rejected instead of silently
 * granting nothing; sts names are checked too. IAM defines hundreds of actions, so for iam only
 * the form is checked. Names compare case-insensitively, as in AWS.
 */
final class Actions {
    /** Longest action string accepted. */
    static final int MAX_ACTION_LENGTH = 128;

    private Actions() {}

    /** Every IAM action of the s3 service prefix, lower-cased. */
    static final Set<String> S3 = lower(
            // Write
            "AbortMultipartUpload", "AssociateAccessGrantsIdentityCenter", "CreateAccessGrant",
            "CreateAccessGrantsInstance", "CreateAccessGrantsLocation", "CreateAccessPoint",
            "CreateAccessPointForObjectLambda", "CreateBucket", "CreateBucketMetadataTableConfiguration",
            "CreateJob", "CreateMultiRegionAccessPoint", "CreateStorageLensGroup", "DeleteAccessGrant",
            "DeleteAccessGrantsInstance", "DeleteAccessGrantsInstanceResourcePolicy", "DeleteAccessGrantsLocation",
            "DeleteAccessPoint", "DeleteAccessPointForObjectLambda", "DeleteAccessPointScope", "DeleteBucket",
            "DeleteBucketMetadataTableConfiguration", "DeleteBucketWebsite", "DeleteMultiRegionAccessPoint",
            "DeleteObject", "DeleteObjectVersion", "DeleteStorageLensConfiguration", "DeleteStorageLensGroup",
            "DissociateAccessGrantsIdentityCenter", "InitiateReplication", "PauseReplication",
            "PutAccelerateConfiguration", "PutAccessGrantsInstanceResourcePolicy",
            "PutAccessPointConfigurationForObjectLambda", "PutAccessPointScope", "PutAnalyticsConfiguration",
            "PutBucketCORS", "PutBucketLogging", "PutBucketNotification", "PutBucketObjectLockConfiguration",
            "PutBucketOwnershipControls", "PutBucketRequestPayment", "PutBucketVersioning", "PutBucketWebsite",
            "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration", "PutInventoryConfiguration",
            "PutLifecycleConfiguration", "PutMetricsConfiguration", "PutObject", "PutObjectLegalHold",
            "PutObjectRetention", "PutReplicationConfiguration", "PutStorageLensConfiguration", "ReplicateDelete",
            "ReplicateObject", "RestoreObject", "SubmitMultiRegionAccessPointRoutes",
            "UpdateAccessGrantsLocation", "UpdateBucketMetadataInventoryTableConfiguration",
            "UpdateBucketMetadataJournalTableConfiguration", "UpdateJobPriority", "UpdateJobStatus",
            "UpdateStorageLensGroup",
            // Permissions management
            "BypassGovernanceRetention", "DeleteAccessPointPolicy", "DeleteAccessPointPolicyForObjectLambda",
            "DeleteBucketPolicy", "ObjectOwnerOverrideToBucketOwner", "PutAccessPointPolicy",
            "PutAccessPointPolicyForObjectLambda", "PutAccessPointPublicAccessBlock", "PutAccountPublicAccessBlock",
            "PutBucketAcl", "PutBucketPolicy", "PutBucketPublicAccessBlock", "PutMultiRegionAccessPointPolicy",
            "PutObjectAcl", "PutObjectVersionAcl",
            // Tagging
            "DeleteJobTagging", "DeleteObjectTagging", "DeleteObjectVersionTagging",
            "DeleteStorageLensConfigurationTagging", "PutBucketTagging", "PutJobTagging", "PutObjectTagging",
            "PutObjectVersionTagging", "PutStorageLensConfigurationTagging", "ReplicateTags", "TagResource",
            "UntagResource",
            // Read
            "DescribeJob", "DescribeMultiRegionAccessPointOperation", "GetAccelerateConfiguration",
            "GetAccessGrant", "GetAccessGrantsInstance", "GetAccessGrantsInstanceForPrefix",
            "GetAccessGrantsInstanceResourcePolicy", "GetAccessGrantsLocation", "GetAccessPoint",
            "GetAccessPointConfigurationForObjectLambda", "GetAccessPointForObjectLambda", "GetAccessPointPolicy",
            "GetAccessPointPolicyForObjectLambda", "GetAccessPointPolicyStatus",
            "GetAccessPointPolicyStatusForObjectLambda", "GetAccessPointScope", "GetAccountPublicAccessBlock",
            "GetAnalyticsConfiguration", "GetBucketAcl", "GetBucketCORS", "GetBucketLocation", "GetBucketLogging",
            "GetBucketMetadataTableConfiguration", "GetBucketNotification", "GetBucketObjectLockConfiguration",
            "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock",
            "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite",
            "GetDataAccess", "GetEncryptionConfiguration", "GetIntelligentTieringConfiguration",
            "GetInventoryConfiguration", "GetJobTagging", "GetLifecycleConfiguration", "GetMetricsConfiguration",
            "GetMultiRegionAccessPoint", "GetMultiRegionAccessPointPolicy", "GetMultiRegionAccessPointPolicyStatus",
            "GetMultiRegionAccessPointRoutes", "GetObject", "GetObjectAcl", "GetObjectAttributes",
            "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent", "GetObjectVersion",
            "GetObjectVersionAcl", "GetObjectVersionAttributes", "GetObjectVersionForReplication",
            "GetObjectVersionTagging", "GetObjectVersionTorrent", "GetReplicationConfiguration",
            "GetStorageLensConfiguration", "GetStorageLensConfigurationTagging", "GetStorageLensDashboard",
            "GetStorageLensGroup",
            // List
            "ListAccessGrants", "ListAccessGrantsInstances", "ListAccessGrantsLocations", "ListAccessPoints",
            "ListAccessPointsForDirectoryBuckets", "ListAccessPointsForObjectLambda", "ListAllMyBuckets",
            "ListBucket", "ListBucketMultipartUploads", "ListBucketVersions", "ListCallerAccessGrants", "ListJobs",
            "ListMultiRegionAccessPoints", "ListMultipartUploadParts", "ListStorageLensConfigurations",
            "ListStorageLensGroups", "ListTagsForResource");

    /** The actions of the sts service prefix, lower-cased. */
    static final Set<String> STS = lower(
            "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot",
            "DecodeAuthorizationMessage", "GetAccessKeyInfo", "GetCallerIdentity", "GetDelegatedAccessToken",
            "GetFederationToken", "GetServiceBearerToken", "GetSessionToken", "SetContext", "SetSourceIdentity",
            "TagSession");

    private static Set<String> lower(String... names) {
        return Stream.of(names).map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Checks one Action/NotAction entry and compiles it to a case-insensitive glob. A bucket policy
     * may name only s3 actions and a trust policy only sts actions, as AWS requires.
     */
    static Glob compile(String action, PolicyKind kind) {
        if (action.equals("*")) {
            return Glob.of("*", true);
        }
        int colon = action.indexOf(':');
        if (action.length() > MAX_ACTION_LENGTH || colon <= 0 || colon == action.length() - 1) {
            throw invalid(action);
        }
        String service = action.substring(0, colon).toLowerCase(Locale.ROOT);
        String name = action.substring(colon + 1);
        boolean wildcard = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*' || c == '?') {
                wildcard = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                throw invalid(action);
            }
        }
        Set<String> known = switch (service) {
            case "s3" -> S3;
            case "sts" -> STS;
            case "iam" -> null;
            default -> throw invalid(action);
        };
        if (!wildcard && known != null && !known.contains(name.toLowerCase(Locale.ROOT))) {
            throw invalid(action);
        }
        if ((kind == PolicyKind.BUCKET && !service.equals("s3")) || (kind == PolicyKind.TRUST && !service.equals("sts"))) {
            throw new PolicyException("Policy has invalid action: " + action + " cannot be used in a "
                    + kind.name().toLowerCase(Locale.ROOT) + " policy");
        }
        return Glob.of(action, true);
    }

    private static PolicyException invalid(String action) {
        return new PolicyException("Policy has invalid action: " + action);
    }
}
