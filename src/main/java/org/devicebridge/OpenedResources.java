package org.devicebridge;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the bridge opens while it is configured (the simulator, the ledger's pool, the embedded
 * broker): closed with the Camel context, in reverse order; or at once, when the configuration
 * fails half-way, since Camel never stops a context that did not start.
 */
final class OpenedResources {

    private static final Logger LOG = LoggerFactory.getLogger(OpenedResources.class);

    private final CamelContext context;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    OpenedResources(CamelContext context) {
        this.context = context;
    }

    /** Closes {@code resource} when the Camel context stops. */
    void closeOnStop(String name, AutoCloseable resource) {
        opened.push(resource);
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() throws Exception {
                    resource.close();
                }

                @Override
                public String toString() {
                    return name;
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + name, e);
        }
    }

    /** The configuration failed: closes everything opened so far, newest first. */
    void closeAll() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                LOG.warn("could not close a resource after the failed start: {}", e.toString());
            }
        }
    }
}
