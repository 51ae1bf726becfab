package dev.chimera.eval;

import dev.chimera.ChimeraException;

/** Bad evaluation input (task file, data file, tokenizer folder, template) or a failed evaluation step. */
public class EvalException extends ChimeraException {
    public EvalException(String message) {
        super(message);
    }

    public EvalException(String message, Throwable cause) {
        super(message, cause);
    }
}
