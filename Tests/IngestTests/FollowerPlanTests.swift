import CleoDomain
import CleoIngest
import Testing

/// The follower's decisions as pure functions (events-log.md "Following the file").
@Suite struct FollowerPlanTests {
    func stored(device: UInt64 = 1, inode: UInt64 = 7, offset: Int64 = 100, head: [UInt8] = [1, 2]) -> FollowerPosition {
        FollowerPosition(path: "/l", file: "/l", device: device, inode: inode, headLength: head.isEmpty ? 0 : 50, headHash: head,
                         offset: offset, nextLine: 4, observedSize: offset, updatedAt: Timestamp(millisecondsSince1970: 0))
    }

    func observed(device: UInt64 = 1, inode: UInt64 = 7, size: Int64 = 150, head: [UInt8]? = [1, 2]) -> FollowerPlan.Observed {
        .init(device: device, inode: inode, size: size, headHash: head)
    }

    @Test func nothingStoredStartsFromTheTop() {
        #expect(FollowerPlan.decide(stored: nil, observed: observed()) == .start)
    }

    @Test func theSameFileGoesOn() {
        #expect(FollowerPlan.decide(stored: stored(), observed: observed()) == .continue)
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(size: 100)) == .continue)  // nothing new yet
        #expect(FollowerPlan.decide(stored: stored(head: []), observed: observed(head: [])) == .continue)
    }

    @Test func shorterOrOtherFirstBytesIsATruncation() {
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(size: 99)) == .truncated(size: 99))
        // grown again past the position, but rewritten: the head hash tells
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(size: 500, head: [9, 9])) == .truncated(size: 500))
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(size: 500, head: nil)) == .truncated(size: 500))
    }

    @Test func anotherFileAtThePathIsARotation() {
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(inode: 8)) == .rotated)
        #expect(FollowerPlan.decide(stored: stored(), observed: observed(device: 2)) == .rotated)
    }
}

@Suite struct LineSplitterTests {
    func split(_ text: String, max: Int = 100) -> ([String], Int) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let (pieces, consumed) = LineSplitter.split(buffer, maxLines: max)
            return (pieces.map { String(decoding: bytes[$0.start..<($0.start + $0.length)], as: UTF8.self) }, consumed)
        }
    }

    @Test func completeLinesOnlyAPartialLastLineWaits() {
        #expect(split("a\nbb\nccc") == (["a", "bb"], 5))
        #expect(split("a\nbb\n") == (["a", "bb"], 5))
        #expect(split("partial") == ([], 0))
        #expect(split("") == ([], 0))
    }

    @Test func emptyLinesAndCRsAreLinesOfTheirOwn() {
        // The CR is the parser's to drop (events-log.md tolerates CRLF); blank lines are counted.
        #expect(split("\n\na\r\n") == (["", "", "a\r"], 5))
    }

    @Test func atMostMaxLines() {
        #expect(split("a\nb\nc\n", max: 2) == (["a", "b"], 4))
    }
}
