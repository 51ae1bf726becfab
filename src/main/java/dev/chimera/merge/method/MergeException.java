package dev.chimera.merge.method;

import dev.chimera.ChimeraException;

/** A merge cannot proceed: bad config, bad parameter, incompatible tensors. The message names the culprit. */
public class MergeException extends ChimeraException {
    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
