package org.devicebridge.simulator.home;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.devicebridge.simulator.SimulatorHttp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the home cloud received and the applied capability states per device:
 * {@code {"<type>":{"<instance>":<value>}}}. Thread-safe.
 */
final class HomeState {

    private final AtomicLong requests = new AtomicLong();
    private final List<JsonNode> bodies = new ArrayList<>();
    private final Map<String, ObjectNode> states = new HashMap<>();
    private final Map<String, Integer> applied = new HashMap<>();

    void countRequest() {
        requests.incrementAndGet();
    }

    synchronized void recordRequest(JsonNode body) {
        bodies.add(body.deepCopy());
    }

    /** Applies one valid action: sets the value, or adds a relative {@code range} change. */
    synchronized void apply(String deviceId, HomeRequest.Action action) {
        ObjectNode device = states.computeIfAbsent(deviceId, id -> SimulatorHttp.JSON.createObjectNode());
        ObjectNode capability = device.has(action.type()) ? (ObjectNode) device.get(action.type())
                : device.putObject(action.type());
        JsonNode value = action.state().get("value");
        boolean relative = action.state().path("relative").asBoolean(false);
        if (relative) {
            double next = capability.path(action.instance()).asDouble(0) + value.doubleValue();
            if (action.instance().equals("brightness")) {
                next = Math.max(0, Math.min(100, next));
            }
            if (next == Math.rint(next) && Math.abs(next) < Long.MAX_VALUE) {
                capability.put(action.instance(), (long) next);
            } else {
                capability.put(action.instance(), next);
            }
        } else {
            capability.set(action.instance(), value.deepCopy());
        }
        applied.merge(deviceId, 1, Integer::sum);
    }

    long requestCount() {
        return requests.get();
    }

    synchronized List<JsonNode> requests() {
        return bodies.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    synchronized JsonNode stateOf(String deviceId) {
        ObjectNode state = states.get(deviceId);
        return state == null ? SimulatorHttp.JSON.createObjectNode() : state.deepCopy();
    }

    synchronized int timesApplied(String deviceId) {
        return applied.getOrDefault(deviceId, 0);
    }
}
