package dev.chimera.merge;

/** A merge cannot proceed: bad config, bad parameter, incompatible tensors. The message names the culprit. */
public class MergeException extends RuntimeException {
    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
