package dev.chimera;

/**
 * The base of Chimera's exceptions: bad input (a file, a run-file key, an option, a value) or an operation that cannot
 * go on. The message is for the user and stands alone: it names the file, key or value at fault and what was
 * expected or what to do, so the CLI prints it as is (no stack trace; {@code -Dchimera.debug=true} adds one) and exits
 * with a non-zero code. Each package has its subclass (e.g. {@code MergeException}, {@code RunException}) so callers
 * can tell where a failure came from; causes are kept. Programming errors stay {@link IllegalArgumentException} /
 * {@link IllegalStateException}.
 *
 * <p>Unchecked on purpose: most callers are actors, lambdas and pipelines that could only rethrow.
 */
public class ChimeraException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChimeraException(String message) {
        super(message);
    }

    public ChimeraException(String message, Throwable cause) {
        super(message, cause);
    }
}
