package dev.chimera.estimate;

import dev.chimera.ChimeraException;

/** Bad input to the estimators: a malformed response matrix, an unknown method, inconsistent sizes. */
public class EstimateException extends ChimeraException {
    private static final long serialVersionUID = 1L;

    public EstimateException(String message) {
        super(message);
    }

    public EstimateException(String message, Throwable cause) {
        super(message, cause);
    }
}
