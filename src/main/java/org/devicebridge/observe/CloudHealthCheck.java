package org.devicebridge.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.devicebridge.ledger.CallLog;

import java.util.List;
import java.util.Map;

/**
 * Readiness of one device cloud, from the last call made to it: down when that call got no answer
 * or a 5xx, up otherwise (also before any call). Its details name the time and status of that call.
 */
public class CloudHealthCheck extends RefreshedHealthCheck {

    private final CallLog callLog;
    private final List<String> operations;

    public CloudHealthCheck(String cloud, CallLog callLog) {
        super("bridge", "cloud-" + cloud);
        this.callLog = callLog;
        this.operations = BridgeMetrics.CLOUD_OF_OPERATION.entrySet().stream().filter(e -> e.getValue().equals(cloud))
                .map(Map.Entry::getKey).toList();
    }

    @Override
    protected void probe(HealthCheckResultBuilder builder) {
        var last = callLog.lastCall(operations);
        if (last.isEmpty()) {
            builder.up().message("no call made yet");
            return;
        }
        var call = last.get();
        builder.detail("last_call_at", call.at().toString());
        builder.detail("last_call_status", call.httpStatus() == null ? "no answer" : String.valueOf(call.httpStatus()));
        boolean failed = call.httpStatus() == null || call.httpStatus() >= 500;
        if (failed) {
            builder.down().message("the last call got " + (call.httpStatus() == null ? "no answer" : "HTTP " + call.httpStatus()));
        } else {
            builder.up();
        }
    }
}
