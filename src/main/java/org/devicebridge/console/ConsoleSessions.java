package org.devicebridge.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator console's sessions: a login with the operator token opens one, named by a random id
 * that only the browser's {@code HttpOnly}, {@code SameSite=Strict} cookie carries (the token itself
 * is never stored in the browser nor put in a URL). Kept in memory: a restart logs everyone out.
 * Each session has its own anti-forgery token, which the console sends back in a header on every
 * call that changes something. A session not used for {@code idleTimeout} ends.
 */
public class ConsoleSessions {

    /** The cookie's name. */
    public static final String COOKIE = "bridge_console";
    /** The header a session's changing calls carry its anti-forgery token in. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final int MAX_SESSIONS = 1_000;

    private final Duration idleTimeout;
    private final boolean secureCookie;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private static final class Session {
        final String csrf;
        volatile Instant lastUsed;

        Session(String csrf, Instant lastUsed) {
            this.csrf = csrf;
            this.lastUsed = lastUsed;
        }
    }

    /**
     * @param secureCookie mark the cookie {@code Secure} (the console reached over HTTPS, e.g. behind a proxy)
     */
    public ConsoleSessions(Duration idleTimeout, boolean secureCookie, Clock clock) {
        this.idleTimeout = idleTimeout;
        this.secureCookie = secureCookie;
        this.clock = clock;
    }

    /** Opens a session: answers its id. The oldest sessions go when there are too many. */
    public String open() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> expired(s, now));
        while (sessions.size() >= MAX_SESSIONS) {
            sessions.entrySet().stream().min(Comparator.comparing(e -> e.getValue().lastUsed))
                    .ifPresent(e -> sessions.remove(e.getKey()));
        }
        String id = randomId();
        sessions.put(id, new Session(randomId(), now));
        return id;
    }

    /** The anti-forgery token of the live session named by the request's {@code Cookie} header; the session counts as used. */
    public Optional<String> csrfOf(String cookieHeader) {
        return idFrom(cookieHeader).map(sessions::get).filter(s -> {
            Instant now = clock.instant();
            if (expired(s, now)) {
                return false;
            }
            s.lastUsed = now;
            return true;
        }).map(s -> s.csrf);
    }

    /** Is {@code given} the session's anti-forgery token (compared in constant time)? */
    public static boolean sameToken(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                given.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Ends the session named by the request's {@code Cookie} header, if any. */
    public void close(String cookieHeader) {
        idFrom(cookieHeader).ifPresent(sessions::remove);
    }

    /** The {@code Set-Cookie} value that hands the browser session {@code id}. */
    public String cookie(String id) {
        return COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that removes the session cookie. */
    public String expiredCookie() {
        return COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "");
    }

    private boolean expired(Session s, Instant now) {
        return s.lastUsed.plus(idleTimeout).isBefore(now);
    }

    private String randomId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static Optional<String> idFrom(String cookieHeader) {
        if (cookieHeader == null) {
            return Optional.empty();
        }
        for (String part : cookieHeader.split(";")) {
            String p = part.trim();
            if (p.startsWith(COOKIE + "=")) {
                String v = p.substring(COOKIE.length() + 1);
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
