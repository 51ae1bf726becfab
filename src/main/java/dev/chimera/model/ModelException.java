package dev.chimera.model;

/** A model that cannot be loaded or run: unsupported architecture or config field, missing or misshapen weight, bad input. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
