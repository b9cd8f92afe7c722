package io.sensorfleet.core.protocol;

/** A frame field with a value outside its rules; the decoder turns it into {@code invalid-field}. */
final class InvalidFieldException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String field;

  InvalidFieldException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The wire name of the field. */
  String field() {
    return field;
  }
}
