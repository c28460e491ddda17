package dev.arca.iam;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validates names and paths as IAM does, with IAM's ValidationError messages. */
final class IamNames {
    /** User, group, role, policy and session names: IAM's [\w+=,.@-]. */
    private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]+");
    /** "/" or "/" + printable ASCII + "/". */
    private static final Pattern PATH = Pattern.compile("/|/[\\u0021-\\u007E]+/");
    /** Account names: lower-case letters, digits and inner '-', as account aliases. */
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

    private IamNames() {}

    static String userName(String value, String param) {
        return name(value, param, 1, IamLimits.USER_NAME_MAX);
    }

    static String groupName(String value, String param) {
        return name(value, param, 1, IamLimits.GROUP_NAME_MAX);
    }

    static String roleName(String value, String param) {
        return name(value, param, 1, IamLimits.ROLE_NAME_MAX);
    }

    static String policyName(String value, String param) {
        return name(value, param, 1, IamLimits.POLICY_NAME_MAX);
    }

    static String sessionName(String value, String param) {
        return name(value, param, IamLimits.SESSION_NAME_MIN, IamLimits.SESSION_NAME_MAX);
    }

    static String accountName(String value) {
        if (value == null || value.isEmpty() || value.length() > IamLimits.ACCOUNT_NAME_MAX
                || !ACCOUNT_NAME.matcher(value).matches()) {
            throw invalid("account name must be 1-" + IamLimits.ACCOUNT_NAME_MAX
                    + " lower-case letters, digits or inner '-'");
        }
        return value;
    }

    /** A path, "/" when absent. */
    static String path(String value, String param) {
        if (value == null) {
            return "/";
        }
        if (value.isEmpty() || value.length() > IamLimits.PATH_MAX) {
            throw lengthError(value, param, 1, IamLimits.PATH_MAX);
        }
        if (!PATH.matcher(value).matches()) {
            throw patternError(value, param, "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
        }
        return value;
    }

    static String description(String value, String param) {
        if (value != null && value.length() > IamLimits.DESCRIPTION_MAX) {
            throw lengthError(value, param, 0, IamLimits.DESCRIPTION_MAX);
        }
        return value;
    }

    private static String name(String value, String param, int min, int max) {
        if (value == null) {
            throw invalid("1 validation error detected: Value null at '" + param
                    + "' failed to satisfy constraint: Member must not be null");
        }
        if (value.length() < min || value.length() > max) {
            throw lengthError(value, param, min, max);
        }
        if (!NAME.matcher(value).matches()) {
            throw patternError(value, param, "[\\w+=,.@-]+");
        }
        return value;
    }

    /** The form of a name that uniqueness and lookups use: IAM names are case-insensitive. */
    static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static StoreException lengthError(String value, String param, int min, int max) {
        String bound = value.length() < min ? "greater than or equal to " + min : "less than or equal to " + max;
        return invalid("1 validation error detected: Value '" + value + "' at '" + param
                + "' failed to satisfy constraint: Member must have length " + bound);
    }

    private static StoreException patternError(String value, String param, String pattern) {
        return invalid("1 validation error detected: Value '" + value + "' at '" + param
                + "' failed to satisfy constraint: Member must satisfy regular expression pattern: " + pattern);
    }

    static StoreException invalid(String message) {
        return StoreException.of(FailureKind.VALIDATION_ERROR, message);
    }
}
