package jgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class NearestTest {
    private static final List<String> COMMANDS = List.of("train", "eval", "export", "gradcheck", "data", "devices",
            "bench", "compare", "experiment", "help");

    @Test
    void typosFindTheName() {
        assertEquals(Optional.of("train"), Nearest.name("trian", COMMANDS));  // swapped neighbours: one edit
        assertEquals(Optional.of("train"), Nearest.name("tran", COMMANDS));
        assertEquals(Optional.of("devices"), Nearest.name("device", COMMANDS));
        assertEquals(Optional.of("optimizers"), Nearest.name("optimizer", List.of("init", "optimizers")));
    }

    @Test
    void otherWordsFindNothing() {
        assertEquals(Optional.empty(), Nearest.name("frobnicate", COMMANDS));
        assertEquals(Optional.empty(), Nearest.name("mnist", List.of("init", "optimizers")));
    }

    @Test
    void distanceCountsASwapAsOneEdit() {
        assertEquals(0, Nearest.distance("train", "train"));
        assertEquals(1, Nearest.distance("trian", "train"));
        assertEquals(1, Nearest.distance("tran", "train"));
        assertEquals(3, Nearest.distance("kitten", "sitting"));
        assertEquals(5, Nearest.distance("", "train"));
    }
}
