package org.devicebridge;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a test does when a local service it needs (PostgreSQL, an AMQP 1.0 broker) cannot be
 * reached: it is skipped with the reason, and fails instead when {@code CI=true}, where every
 * service must be there.
 */
final class LocalServices {

    private LocalServices() {
    }

    /** @param unreachable why the service cannot be reached, or empty when it can */
    static void skipOrFailUnlessReachable(String what, String unreachable) {
        if (unreachable.isEmpty()) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(what + " not reachable: " + unreachable + " — CI=true, so these tests must run");
        }
        Assumptions.assumeTrue(false, what + " not reachable: " + unreachable + " — skipped (set CI=true to make this a failure)");
    }

    /** An environment variable, or the fallback when it is unset or blank. */
    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
