package dev.ferry;

/** What a channel does when a publish would take it past its maximum depth. */
public enum DepthPolicy {
    /** Refuse the publish with a {@link PublishRejectedException}; nothing of it is stored. */
    REJECT,
    /** Accept the publish and drop the channel's oldest ready messages; the drops are counted. */
    DROP_OLDEST
}
