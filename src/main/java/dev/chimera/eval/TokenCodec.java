package dev.chimera.eval;

import java.util.Optional;

/** The tokenizer view the {@link TaskRunner} needs; {@link Tokenizer} adapts to it via {@link #of(Tokenizer)}. */
public interface TokenCodec {
    /** Ids of {@code text} with the tokenizer's default special tokens (e.g. BOS), as HF's {@code encode}. */
    int[] encodeWithSpecial(String text);

    /** Text of generated ids, special tokens dropped. */
    String decode(int[] ids);

    /** The end-of-sequence id, if the tokenizer names one. */
    Optional<Integer> eosId();

    static TokenCodec of(Tokenizer t) {
        return new TokenCodec() {
            @Override
            public int[] encodeWithSpecial(String text) {
                return t.encodeWithSpecial(text);
            }

            @Override
            public String decode(int[] ids) {
                return t.decodeSkippingSpecial(ids);
            }

            @Override
            public Optional<Integer> eosId() {
                return t.eosId();
            }
        };
    }
}
