package dev.chimera.engine.run;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an operator can do to a running run; written as its lower-case word in the journal, messages and URLs. */
public enum ControlAction {
    /** In-flight candidates finish, nothing new is handed out. */
    PAUSE,
    /** A paused run hands out work again. */
    RESUME,
    /** The run ends now; its folder keeps everything and {@code chimera resume} continues it. */
    STOP;

    @JsonValue
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action named {@code word} (pause, resume, stop); an error naming the word otherwise. */
    @JsonCreator
    public static ControlAction of(String word) {
        for (ControlAction a : values()) {
            if (a.word().equals(word)) {
                return a;
            }
        }
        throw new RunException("unknown control action '" + word + "' (known: "
                + Arrays.stream(values()).map(ControlAction::word).collect(Collectors.joining(", ")) + ")");
    }
}
