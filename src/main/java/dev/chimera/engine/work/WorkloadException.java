package dev.chimera.engine.work;

/** A worker cannot take part in a run (e.g. a model folder is missing on its node); other workers continue. */
public class WorkloadException extends RuntimeException {
    public WorkloadException(String message) {
        super(message);
    }

    public WorkloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
