package org.devicebridge.api;

import java.util.Map;
import java.util.Set;

/**
 * One call to the bridge's API, as taken at the door: its request id, parameters and body, and who
 * made it: the operator ({@code byDevice} false), a device with the shared device token
 * ({@code byDevice}, no {@code device}), or one device with its own token ({@code device} names it).
 * {@code queryNames} are the names its query string gave (the path's {@code id} and the
 * {@code Idempotency-Key} header are parameters too, but not among them).
 */
public record ApiCall(String requestId, String method, String path, Map<String, String> parameters, Set<String> queryNames,
                      String contentType, byte[] body, boolean byDevice, String device) {

    public ApiCall(String requestId, String method, String path, Map<String, String> parameters, Set<String> queryNames,
                   String contentType, byte[] body) {
        this(requestId, method, path, parameters, queryNames, contentType, body, false, null);
    }

    public ApiCall(String requestId, String method, String path, Map<String, String> parameters, String contentType, byte[] body) {
        this(requestId, method, path, parameters, Set.copyOf(parameters.keySet()), contentType, body);
    }

    /** The same call, made with the operator token. */
    public ApiCall asOperator() {
        return new ApiCall(requestId, method, path, parameters, queryNames, contentType, body, false, null);
    }

    /** The same call, made with a device token: the shared one ({@code device} null) or {@code device}'s own. */
    public ApiCall asDevice(String device) {
        return new ApiCall(requestId, method, path, parameters, queryNames, contentType, body, true, device);
    }

    /** Made with a device's own token: the caller is that device and may act only for it. */
    public boolean byOneDevice() {
        return device != null;
    }

    public String parameter(String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
