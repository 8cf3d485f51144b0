package org.devicebridge.api;

import java.util.Map;

/** One call to the bridge's API, as taken at the door: its request id, parameters and body. */
public record ApiCall(String requestId, String method, String path, Map<String, String> parameters, String contentType,
                      byte[] body, boolean byDevice) {

    public ApiCall(String requestId, String method, String path, Map<String, String> parameters, String contentType, byte[] body) {
        this(requestId, method, path, parameters, contentType, body, false);
    }

    /** The same call, made with the device token (true) or the operator token (false). */
    public ApiCall asDevice(boolean device) {
        return new ApiCall(requestId, method, path, parameters, contentType, body, device);
    }

    public String parameter(String name) {
        String v = parameters.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
