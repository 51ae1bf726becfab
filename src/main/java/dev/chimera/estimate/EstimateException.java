package dev.chimera.estimate;

/** Bad input to the estimators: a malformed response matrix, an unknown method, inconsistent sizes. */
public class EstimateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EstimateException(String message) {
    super(message);
  }

  public EstimateException(String message, Throwable cause) {
    super(message, cause);
  }
}
