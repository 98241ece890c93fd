package dev.amalgam.protocol.pubsub;

import java.time.Duration;

/**
 * Peer score parameters (gossipsub v1.1): one set of topic parameters applied to every topic, the
 * behaviour penalty P7, decay, and the thresholds. P5 (application) and P6 (IP colocation) are not
 * used.
 */
public record ScoreParams(
    double topicWeight,
    double timeInMeshWeight,
    Duration timeInMeshQuantum,
    double timeInMeshCap,
    double firstMessageDeliveriesWeight,
    double firstMessageDeliveriesDecay,
    double firstMessageDeliveriesCap,
    double meshMessageDeliveriesWeight,
    double meshMessageDeliveriesDecay,
    double meshMessageDeliveriesThreshold,
    double meshMessageDeliveriesCap,
    Duration meshMessageDeliveriesActivation,
    double meshFailurePenaltyWeight,
    double meshFailurePenaltyDecay,
    double invalidMessageDeliveriesWeight,
    double invalidMessageDeliveriesDecay,
    double topicScoreCap,
    double behaviourPenaltyWeight,
    double behaviourPenaltyThreshold,
    double behaviourPenaltyDecay,
    double decayToZero,
    Duration retainScore,
    double gossipThreshold,
    double publishThreshold,
    double graylistThreshold,
    double acceptPxThreshold,
    double opportunisticGraftThreshold) {

  /**
   * Defaults: P1 up to +1, P2 up to +20, P3 off (it needs traffic estimates per topic), P4 -10 per
   * invalid message squared, P7 -10 per penalty squared; thresholds as in the js defaults' spirit:
   * gossip -10, publish -50, graylist -80.
   */
  public static ScoreParams defaults() {
    return new ScoreParams(
        1.0,
        0.01,
        Duration.ofSeconds(1),
        100,
        1.0,
        0.5,
        20,
        0,
        0.5,
        1,
        20,
        Duration.ofSeconds(5),
        0,
        0.5,
        -10,
        0.9,
        100,
        -10,
        0,
        0.9,
        0.01,
        Duration.ofMinutes(1),
        -10,
        -50,
        -80,
        10,
        5);
  }

  /** The same with P3 enabled: peers in the mesh must deliver {@code threshold} messages. */
  public ScoreParams withMeshDeliveries(double weight, double threshold, Duration activation) {
    return new ScoreParams(
        topicWeight,
        timeInMeshWeight,
        timeInMeshQuantum,
        timeInMeshCap,
        firstMessageDeliveriesWeight,
        firstMessageDeliveriesDecay,
        firstMessageDeliveriesCap,
        weight,
        meshMessageDeliveriesDecay,
        threshold,
        meshMessageDeliveriesCap,
        activation,
        weight,
        meshFailurePenaltyDecay,
        invalidMessageDeliveriesWeight,
        invalidMessageDeliveriesDecay,
        topicScoreCap,
        behaviourPenaltyWeight,
        behaviourPenaltyThreshold,
        behaviourPenaltyDecay,
        decayToZero,
        retainScore,
        gossipThreshold,
        publishThreshold,
        graylistThreshold,
        acceptPxThreshold,
        opportunisticGraftThreshold);
  }
}
