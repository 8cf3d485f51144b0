package org.devicebridge.simulator.network;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the network cloud received and applied; thread-safe. */
final class NetworkState {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong tooManyRequests = new AtomicLong();
    private final List<JsonNode> bodies = new ArrayList<>();
    private final Map<String, Map<String, Integer>> applied = new HashMap<>();

    void countRequest() {
        requests.incrementAndGet();
    }

    void countTooManyRequests() {
        tooManyRequests.incrementAndGet();
    }

    synchronized void recordRequest(JsonNode body) {
        bodies.add(body.deepCopy());
    }

    synchronized void recordApplied(String device, String type) {
        applied.computeIfAbsent(device, d -> new HashMap<>()).merge(type, 1, Integer::sum);
    }

    long requestCount() {
        return requests.get();
    }

    long tooManyRequestsCount() {
        return tooManyRequests.get();
    }

    synchronized List<JsonNode> requests() {
        return bodies.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    synchronized int timesApplied(String device) {
        return applied.getOrDefault(device, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    synchronized int timesApplied(String device, String type) {
        return applied.getOrDefault(device, Map.of()).getOrDefault(type, 0);
    }
}
