package org.devicebridge.intake;

import java.io.Closeable;
import java.util.Iterator;

/**
 * An opened batch: its request id (given by the document, or derived from name and checksum)
 * and a lazy, closeable iterator over its records, so a huge batch is never held in memory.
 */
public interface BatchSource extends Iterator<BatchRecord>, Closeable {

    String requestId();

    /** Was the request id given in the document (true) or derived (false)? */
    boolean requestIdGiven();
}
