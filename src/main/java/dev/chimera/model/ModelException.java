package dev.chimera.model;

import dev.chimera.ChimeraException;

/** A model that cannot be loaded or run: unsupported architecture or config field, missing or misshapen weight, bad input. */
public class ModelException extends ChimeraException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
