package dev.chimera.engine.work;

import dev.chimera.ChimeraException;

/** A worker cannot take part in a run (e.g. a model folder is missing on its node); other workers continue. */
public class WorkloadException extends ChimeraException {
    public WorkloadException(String message) {
        super(message);
    }

    public WorkloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
