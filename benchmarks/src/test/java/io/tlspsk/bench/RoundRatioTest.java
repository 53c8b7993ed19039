package io.tlspsk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tlspsk.bench.RoundRatio.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A ratio over rounds decides a target only when every round falls on the same side of it. */
class RoundRatioTest {

    @Test
    void medianOfOddCountIsTheMiddleAndOfEvenCountTheMeanOfTheMiddleTwo() {
        assertEquals(2.0, RoundRatio.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, RoundRatio.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(Double.NaN, RoundRatio.median(List.of()));
    }

    @Test
    void pairsValuesByRoundAndLeavesOutRoundsMissingEitherSide() {
        RoundRatio r = RoundRatio.of(Map.of(1, 300.0, 2, 400.0, 3, 500.0), Map.of(1, 200.0, 3, 250.0, 4, 100.0));
        assertEquals(List.of(1.5, 2.0), r.perRound());
        assertEquals(1.75, r.median(), 1e-9);
        assertEquals(1.5, r.min());
        assertEquals(2.0, r.max());
        assertNull(RoundRatio.of(Map.of(1, 1.0), Map.of(2, 1.0)));
    }

    @Test
    void leavesOutRoundsWithNonPositiveOrNaNValues() {
        RoundRatio r = RoundRatio.of(Map.of(1, 3.0, 2, Double.NaN, 3, 0.0), Map.of(1, 2.0, 2, 1.0, 3, 1.0));
        assertEquals(List.of(1.5), r.perRound());
    }

    @Test
    void atLeastIsMetOnlyWhenEveryRoundReachesTheTarget() {
        RoundRatio r = RoundRatio.ofRatios(List.of(1.52, 1.61, 1.50));
        assertEquals(Verdict.MET, r.atLeast(1.5));
    }

    @Test
    void atLeastIsNotDecidedWhenTheSpreadCrossesTheTarget() {
        // The median (1.55) clears 1.5, but one round did not: not "met".
        RoundRatio r = RoundRatio.ofRatios(List.of(1.55, 1.49, 1.7));
        assertEquals(1.55, r.median());
        assertEquals(Verdict.NOT_DECIDED, r.atLeast(1.5));
        // The same when the median misses and one round reached it.
        assertEquals(Verdict.NOT_DECIDED, RoundRatio.ofRatios(List.of(1.2, 1.3, 1.6)).atLeast(1.5));
    }

    @Test
    void atLeastIsNotMetWhenNoRoundReachesTheTarget() {
        assertEquals(Verdict.NOT_MET, RoundRatio.ofRatios(List.of(1.2, 1.3, 1.49)).atLeast(1.5));
    }

    @Test
    void atMostIsDecidedTheSameWayFromTheOtherSide() {
        assertEquals(Verdict.MET, RoundRatio.ofRatios(List.of(1.8, 2.0)).atMost(2.0));
        assertEquals(Verdict.NOT_DECIDED, RoundRatio.ofRatios(List.of(1.8, 2.1)).atMost(2.0));
        assertEquals(Verdict.NOT_MET, RoundRatio.ofRatios(List.of(2.1, 2.4)).atMost(2.0));
    }

    @Test
    void oneRoundDecidesNothing() {
        RoundRatio r = RoundRatio.ofRatios(List.of(3.0));
        assertEquals(Verdict.NOT_DECIDED, r.atLeast(1.5));
        assertEquals(Verdict.NOT_DECIDED, r.atMost(5.0));
        assertEquals("3.00x (1 round)", r.describe());
    }

    @Test
    void describesMedianAndSpread() {
        RoundRatio r = RoundRatio.ofRatios(List.of(1.31, 1.2, 1.27));
        assertEquals("1.27x (1.20–1.31, 3 rounds)", r.describe());
        assertEquals("1.27 (1.20–1.31)", r.cell());
    }
}
