package dev.arca.iam;

/** Builds the ARNs IAM and STS entities have. */
final class Arns {
    private Arns() {}

    /** arn:aws:iam::ACCOUNT:root */
    static String root(String accountId) {
        return "arn:aws:iam::" + accountId + ":root";
    }

    /** arn:aws:iam::ACCOUNT:TYPE/PATH/NAME, where path starts and ends with '/'. */
    static String iam(String accountId, String type, String path, String name) {
        return "arn:aws:iam::" + accountId + ":" + type + path + name;
    }

    /** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION */
    static String assumedRole(String accountId, String roleName, String sessionName) {
        return "arn:aws:sts::" + accountId + ":assumed-role/" + roleName + "/" + sessionName;
    }
}
