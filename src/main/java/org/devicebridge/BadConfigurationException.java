package org.devicebridge;

/** The configuration cannot work; the message names the key (never its value when it is a secret). */
public class BadConfigurationException extends RuntimeException {

    public BadConfigurationException(String key, String problem) {
        super(key + " " + problem);
    }
}
