package org.devicebridge.fanout;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The configured webhook subscribers ({@code bridge.webhooks.*}), by name. */
public class Subscribers {

    private final Map<String, Subscriber> byName = new LinkedHashMap<>();

    public Subscribers(List<Subscriber> subscribers) {
        subscribers.forEach(s -> byName.put(s.name(), s));
    }

    public List<Subscriber> all() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    public Optional<Subscriber> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }
}
