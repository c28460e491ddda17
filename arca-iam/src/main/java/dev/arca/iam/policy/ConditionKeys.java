package dev.arca.iam.policy;

import java.util.List;

/**
 * The values of condition keys for one request (aws:SourceIp, s3:prefix, s3:ExistingObjectTag/k, …),
 * looked up lazily: a key that costs work (an object's tags) is computed only if a policy asks.
 * Key names compare case-insensitively, as in IAM. An absent key gives an empty list.
 */
@FunctionalInterface
public interface ConditionKeys {
    List<String> values(String key);

    ConditionKeys NONE = key -> List.of();
}
