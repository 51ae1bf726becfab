package dev.chimera.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Converts float tensors between little-endian safetensors bytes (F64, F32, F16, BF16) and {@code
 * float[]}. F64 is narrowed to float on decode. For small tensors, tests and reference code; the
 * merge itself works on chunks.
 */
public final class FloatCodec {
  private FloatCodec() {}

  /** Encodes floats as {@code dtype}, rounding to nearest even where precision is lost. */
  public static byte[] encode(float[] values, DType dtype) {
    checkFloat(dtype);
    long bytes = (long) values.length * dtype.size();
    if (bytes > SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException(values.length + " values are too many for one array");
    }
    ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case F64 -> out.putDouble(v);
        case F32 -> out.putFloat(v);
        case F16 -> out.putShort(F16.fromFloat(v));
        case BF16 -> out.putShort(Bf16.fromFloat(v));
        default -> throw new AssertionError(dtype);
      }
    }
    return out.array();
  }

  /** Decodes the remaining bytes of one buffer; its position is not changed. */
  public static float[] decode(ByteBuffer bytes, DType dtype) {
    return decode(List.of(bytes), dtype);
  }

  /** Decodes the remaining bytes of several chunks, in order; their positions are not changed. */
  public static float[] decode(List<ByteBuffer> chunks, DType dtype) {
    checkFloat(dtype);
    long total = 0;
    for (ByteBuffer c : chunks) {
      total += c.remaining();
    }
    if (total % dtype.size() != 0) {
      throw new IllegalArgumentException(total + " bytes is not a whole number of " + dtype);
    }
    if (total / dtype.size() > SafetensorsFile.DEFAULT_MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("tensor is too large for one float array");
    }
    float[] out = new float[(int) (total / dtype.size())];
    int i = 0;
    for (ByteBuffer chunk : chunks) {
      ByteBuffer b = chunk.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      if (b.remaining() % dtype.size() != 0) {
        throw new IllegalArgumentException("chunk splits a " + dtype + " element");
      }
      while (b.hasRemaining()) {
        out[i++] =
            switch (dtype) {
              case F64 -> (float) b.getDouble();
              case F32 -> b.getFloat();
              case F16 -> F16.toFloat(b.getShort());
              case BF16 -> Bf16.toFloat(b.getShort());
              default -> throw new AssertionError(dtype);
            };
      }
    }
    return out;
  }

  private static void checkFloat(DType dtype) {
    if (dtype != DType.F64 && dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
      throw new IllegalArgumentException("not a 16/32/64-bit float dtype: " + dtype);
    }
  }
}
