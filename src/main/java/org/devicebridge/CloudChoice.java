package org.devicebridge;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which device clouds the bridge drives for real, which the built-in simulator stands in for, and
 * which neither: the one rule, read by the running bridge and by {@code --dry-run} alike.
 * <p>
 * {@code bridge.simulator.enabled}: {@code auto} (the default) simulates every cloud when no cloud
 * has a base URL (the out-of-the-box demo) and none as soon as one has; {@code true} simulates each
 * cloud without a base URL; {@code false} simulates nothing. A cloud neither configured nor
 * simulated is not used: pre-flight refuses its actions, naming the setting that is missing.
 */
record CloudChoice(Set<String> real, Set<String> simulated) {

    static final String SETTING = "bridge.simulator.enabled";
    /** The clouds, and the kind of action each one runs. */
    static final Map<String, String> KIND_OF_CLOUD = Map.of("access", "credentials", "network", "bulk", "home", "capability");

    static CloudChoice of(Settings settings) {
        java.util.SortedSet<String> real = new TreeSet<>();
        for (String cloud : KIND_OF_CLOUD.keySet()) {
            if (settings.optional(baseUrlKey(cloud)).isPresent()) {
                real.add(cloud);
            }
        }
        String mode = settings.get(SETTING, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        java.util.SortedSet<String> simulated = new TreeSet<>();
        switch (mode) {
            case "auto" -> {
                if (real.isEmpty()) {
                    simulated.addAll(KIND_OF_CLOUD.keySet());
                }
            }
            case "true" -> KIND_OF_CLOUD.keySet().stream().filter(c -> !real.contains(c)).forEach(simulated::add);
            case "false" -> {
            }
            default -> throw new BadConfigurationException(SETTING, "must be auto, true or false, not '" + mode + "'");
        }
        return new CloudChoice(java.util.Collections.unmodifiableSortedSet(real), java.util.Collections.unmodifiableSortedSet(simulated));
    }

    static String baseUrlKey(String cloud) {
        return "bridge." + cloud + ".base-url";
    }

    boolean anySimulated() {
        return !simulated.isEmpty();
    }

    /** The kinds of action run on the simulator. */
    Set<String> simulatedKinds() {
        Set<String> kinds = new TreeSet<>();
        simulated.forEach(c -> kinds.add(KIND_OF_CLOUD.get(c)));
        return kinds;
    }

    /**
     * Each kind of action whose cloud is neither configured nor simulated, with the reason
     * pre-flight gives for refusing it.
     */
    Map<String, String> refusedKinds() {
        Map<String, String> refused = new LinkedHashMap<>();
        for (String cloud : new TreeSet<>(KIND_OF_CLOUD.keySet())) {
            if (!real.contains(cloud) && !simulated.contains(cloud)) {
                refused.put(KIND_OF_CLOUD.get(cloud), "the " + cloud + " cloud is not configured: set " + baseUrlKey(cloud)
                        + " (or " + SETTING + "=true to run " + KIND_OF_CLOUD.get(cloud) + " actions on the built-in simulator)");
            }
        }
        return refused;
    }
}
