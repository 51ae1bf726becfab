package dev.chimera.search;

import dev.chimera.ChimeraException;

/** An algorithm's settings, bounds or snapshot that cannot be used; the message names the setting or field. */
public class SearchException extends ChimeraException {
    private static final long serialVersionUID = 1L;

    public SearchException(String message) {
        super(message);
    }

    public SearchException(String message, Throwable cause) {
        super(message, cause);
    }
}
