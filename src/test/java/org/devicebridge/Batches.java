package org.devicebridge;

import java.util.List;
import java.util.stream.Collectors;

/** Batch documents for tests, in the format of docs/batch-format.md. */
public final class Batches {

    private Batches() {
    }

    /** A valid credentials action for a device, with one credential and one schedule. */
    public static String credentials(String actionId, String device) {
        return credentials(actionId, device, "1a2b3c4d");
    }

    public static String credentials(String actionId, String device, String credentialId) {
        return """
                {"kind":"credentials","id":"%s","device":"%s","payload":{"credentials":[{"id":"%s","holder":"Ada","schedule_ids":["office"]}],"schedules":[{"id":"office","timezone":"Europe/Berlin","intervals":[{"days":["MON","FRI"],"start":"08:00","end":"18:00"}]}]}}"""
                .formatted(actionId, device, credentialId).strip();
    }

    public static String document(String requestId, String... actions) {
        return "{\"request_id\":\"" + requestId + "\",\"actions\":[" + String.join(",", actions) + "]}";
    }

    public static String jsonLines(List<String> lines) {
        return lines.stream().collect(Collectors.joining("\n", "", "\n"));
    }
}
