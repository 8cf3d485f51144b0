package org.devicebridge.cloud;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of everything the bridge logs or stores.
 * <p>
 * Two rules: query strings of URLs are replaced by {@code ?<redacted>} (one cloud takes its token
 * in the URL), and every registered secret value (API keys, webhook secrets, tokens) is replaced
 * by {@code ***} wherever it appears. Apply it to any text that may carry a URL or a message from
 * an exception before it reaches a log line, the ledger, a result or an HTTP answer.
 */
public class Redactor {

    private static final Pattern QUERY = Pattern.compile("(\\b(?:https?|wss?)://[^\\s?#\"']*)\\?[^\\s#\"']*");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final int MIN_SECRET_LENGTH = 4;

    private final List<String> secrets = new CopyOnWriteArrayList<>();

    /** Registers a secret value to be masked wherever it appears; blank or very short values are ignored. */
    public void addSecret(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_LENGTH && !secrets.contains(secret)) {
            secrets.add(secret);
        }
    }

    /**
     * Registers {@code next} in place of {@code previous} (a renewed access token): the list of
     * secrets stays as long as the number of live ones, not of every token ever issued.
     */
    public void replaceSecret(String previous, String next) {
        if (previous != null) {
            secrets.remove(previous);
        }
        addSecret(next);
    }

    /** A URL with its query string redacted: {@code https://h/p?<redacted>}. */
    public String url(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        return text(q < 0 ? url : url.substring(0, q) + "?<redacted>");
    }

    /** Any text (an exception message, a cloud's error body) with URL queries, bearer tokens and secrets masked. */
    public String text(String text) {
        if (text == null) {
            return null;
        }
        String out = QUERY.matcher(text).replaceAll("$1?<redacted>");
        out = BEARER.matcher(out).replaceAll("$1***");
        for (String secret : secrets) {
            out = out.replace(secret, "***");
        }
        return out;
    }
}
