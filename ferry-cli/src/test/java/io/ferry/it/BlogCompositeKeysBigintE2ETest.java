package io.ferry.it;

import java.util.Map;

/**
 * The blog scenario with bigint keys from Ferry's key registry instead of uuids, declared on the sink alone (no
 * transforms on the source): author and post get bigint ids, post.author_ref and comment.post_ref the ids of the rows
 * their join columns point at, allocated by whichever row the sink sees first. Same restarts, same children-first
 * CDC, same checks.
 */
class BlogCompositeKeysBigintE2ETest extends BlogCompositeKeysE2ETest {

    @Override
    void deployRedesign() throws Exception {
        sink = pipeline.sinkConnector().with(Map.of(
                "bigint.keys", "author.id=author(region+handle), post.id=post(region+handle+post_no), "
                        + "post.author_ref=author(region+handle), comment.post_ref=post(region+handle+post_no)",
                "foreign.keys", "post(author_ref)->author(id), comment(post_ref)->post(id)",
                "consumer.override.max.poll.records", "500"));
        pipeline.deploy(sink);
        pipeline.deploy(pipeline.sourceConnector());
    }
}
