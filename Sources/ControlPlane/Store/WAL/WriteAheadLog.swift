// The write-ahead log: Raft's entries, hard states and snapshot markers, appended to checksummed
// segment files and synced before `save` returns.
//
// Life cycle: `create` a new log (or `open` an existing one, then `readAll(from:)`, which verifies it,
// repairs a torn tail and positions the writer), then `save` for every Ready, `saveSnapshotMarker` when a
// snapshot is stored, and `releaseTo` after compaction. A directory lock keeps a second process out.
//
// Durability: every `save` is one write and one fdatasync. A new segment is prepared under a temporary
// name, synced, renamed into place and the directory synced, so a crash never leaves a half-made
// segment; the segment before it is truncated to its data and synced first. After any failed write or
// sync the log refuses further writes: the page cache can no longer be trusted to match the disk.

import Glibc
import Logging

public final class WriteAheadLog {
    public let directory: String
    public let options: WALOptions
    public let metadata: WALMetadata

    static let lockName = "wal.lock"
    static let tempSuffix = ".tmp"
    private static let logger = Logger(label: "swiftlet.wal")

    private var lockFD: Int32
    private var segments: [WALSegment]
    /// Open tail segment (-1 until `readAll` on an opened log).
    private var fd: Int32 = -1
    private var offset = 0
    private var chain: UInt32 = 0
    /// Index of the last entry written, which names the next segment.
    private var lastIndex: UInt64 = 0
    /// Latest hard state, repeated at the head of each new segment so released segments lose nothing.
    private var hardState = RaftHardState()
    private var state: State

    private enum State { case opened, writable, failed, closed }

    private init(directory: String, options: WALOptions, metadata: WALMetadata, lockFD: Int32, segments: [WALSegment],
                 state: State) {
        self.directory = directory
        self.options = options
        self.metadata = metadata
        self.lockFD = lockFD
        self.segments = segments
        self.state = state
    }

    deinit { close() }

    /// Whether `directory` holds segment files.
    public static func exists(directory: String) -> Bool {
        ((try? WALFS.list(directory)) ?? []).contains { WALSegment(name: $0) != nil }
    }

    /// Creates a log in `directory` (made if missing), ready for appends.
    public static func create(directory: String, metadata: WALMetadata, options: WALOptions = WALOptions()) throws -> WriteAheadLog {
        try WALFS.makeDirectory(directory)
        let lock = try WALFS.lock(WALFS.join(directory, lockName), lockedError: .locked(directory))
        do {
            if exists(directory: directory) { throw WALError.alreadyExists(directory) }
            try removeTemporaries(directory)
            let wal = WriteAheadLog(directory: directory, options: options, metadata: metadata, lockFD: lock,
                                    segments: [], state: .writable)
            try wal.startSegment(WALSegment(seq: 0, index: 0), snapshotMarker: WALSnapshotMarker())
            return wal
        } catch {
            WALFS.close(lock)
            throw error
        }
    }

    /// Opens and locks an existing log; call `readAll(from:)` before writing. `metadata` is the identity
    /// this member expects; `readAll` refuses a log written with another.
    public static func open(directory: String, metadata: WALMetadata, options: WALOptions = WALOptions()) throws -> WriteAheadLog {
        let lock = try WALFS.lock(WALFS.join(directory, lockName), lockedError: .locked(directory))
        do {
            let segments = try WALSegment.list(directory)
            if segments.isEmpty { throw WALError.notFound(directory) }
            try removeTemporaries(directory)
            return WriteAheadLog(directory: directory, options: options, metadata: metadata, lockFD: lock,
                                 segments: segments, state: .opened)
        } catch {
            WALFS.close(lock)
            throw error
        }
    }

    private static func removeTemporaries(_ directory: String) throws {
        for name in try WALFS.list(directory) where name.hasSuffix(WALSegment.suffix + tempSuffix) {
            try WALFS.remove(WALFS.join(directory, name))
        }
    }

    /// Releases the lock and the open segment. Idempotent.
    public func close() {
        if fd >= 0 { WALFS.close(fd) }
        fd = -1
        if lockFD >= 0 { WALFS.close(lockFD) }
        lockFD = -1
        state = .closed
    }

    // MARK: Recovery

    /// Verifies the whole log and returns what it holds after `snapshot`: the identity, the last hard state
    /// and the entries with index > `snapshot.index`. A torn final record is cut off (reported in
    /// `warnings` and logged); any other damage throws `WALError.corrupt` naming the file and offset.
    /// Also prepares the log for appending, so it may be called once, right after `open`.
    public func readAll(from snapshot: WALSnapshotMarker = WALSnapshotMarker()) throws -> WALContents {
        guard state == .opened else { throw WALError.invalidState("readAll must follow open, once") }
        let scan = try WALScanner.scan(directory: directory, segments: segments)
        let contents = try interpret(scan, from: snapshot)
        for warning in scan.warnings { Self.logger.warning("\(warning)") }
        try prepareTail(scan, contents)
        return contents
    }

    /// Snapshot markers in the log, oldest first, without preparing it for writes (a torn tail is ignored,
    /// corruption throws). Restart uses them to pick a snapshot file the log can continue from.
    public func snapshotMarkers() throws -> [WALSnapshotMarker] {
        guard state != .closed else { throw WALError.invalidState("closed") }
        let scan = try WALScanner.scan(directory: directory, segments: segments)
        return scan.records.compactMap { if case let .snapshot(m) = $0.record { m } else { nil } }
    }

    private func path(_ n: Int) -> String { WALFS.join(directory, segments[n].name) }

    private func interpret(_ scan: WALScan, from snapshot: WALSnapshotMarker) throws -> WALContents {
        var found: WALMetadata?
        var hardState = RaftHardState()
        var entries: [RaftEntry] = []
        var markers: [WALSnapshotMarker] = []
        var matched = snapshot.index == 0
        var lastWritten: UInt64 = 0
        for item in scan.records {
            switch item.record {
            case let .metadata(m):
                if let f = found, f != m {
                    throw WALError.corrupt(file: path(item.segment), offset: item.offset,
                                           reason: "metadata differs from the first segment's")
                }
                found = m
            case let .entry(e):
                lastWritten = e.index
                if e.index <= snapshot.index { continue }
                let position = Int(e.index - snapshot.index - 1)
                if position > entries.count {
                    let expected = snapshot.index + UInt64(entries.count) + 1
                    throw WALError.corrupt(file: path(item.segment), offset: item.offset,
                                           reason: "entry \(e.index) leaves a gap (expected at most \(expected))")
                }
                entries.removeSubrange(position...)
                entries.append(e)
            case let .hardState(h):
                hardState = h
            case let .snapshot(m):
                markers.append(m)
                if m == snapshot { matched = true }
                lastWritten = max(lastWritten, m.index)
            case .crc:
                break
            }
        }
        guard let identity = found else {
            throw WALError.corrupt(file: path(0), offset: 0, reason: "no metadata record")
        }
        if identity != metadata { throw WALError.identityMismatch(expected: metadata, found: identity) }
        if !matched { throw WALError.snapshotNotFound(snapshot) }
        lastIndex = max(entries.last?.index ?? 0, lastWritten)
        self.hardState = hardState
        return WALContents(metadata: identity, hardState: hardState, entries: entries,
                           snapshotMarkers: markers, warnings: scan.warnings)
    }

    private func prepareTail(_ scan: WALScan, _ contents: WALContents) throws {
        let last = segments.count - 1
        let tailPath = path(last)
        fd = try WALFS.open(tailPath, O_RDWR)
        offset = scan.lastSegmentEnd
        chain = scan.chain
        state = .writable
        do {
            if scan.torn {
                // Clear the torn bytes so the next write does not leave stale data after itself.
                try WALFS.truncate(fd, to: offset, path: tailPath)
                if options.preallocate { try WALFS.preallocate(fd, to: options.segmentSize, path: tailPath) }
                try WALFS.sync(fd, path: tailPath)
            }
            if offset == 0 {
                // Nothing of the last segment survived: give it its head again.
                var c = chain
                var head: [WALRecord] = [.crc(c), .metadata(metadata)]
                if !hardState.isEmpty { head.append(.hardState(hardState)) }
                let buffer = WALRecord.encodeBatch(head, chain: &c)
                try WALFS.writeAll(fd, buffer, at: 0, path: tailPath)
                try WALFS.sync(fd, path: tailPath)
                offset = buffer.count
                chain = c
            }
        } catch {
            state = .failed
            throw error
        }
    }

    // MARK: Appending

    /// Appends `entries` then `hardState` (if given and not empty) and syncs once before returning.
    /// Entries may overwrite a suffix already written (Raft truncation): recovery keeps the latest.
    public func save(hardState: RaftHardState?, entries: [RaftEntry], sync: Bool = true) throws {
        try checkWritable()
        var records = entries.map(WALRecord.entry)
        if let h = hardState, !h.isEmpty { records.append(.hardState(h)) }
        if records.isEmpty { return }
        try append(records, sync: sync)
        if let e = entries.last { lastIndex = e.index }
        if let h = hardState, !h.isEmpty { self.hardState = h }
        if offset >= options.segmentSize { try cut() }
    }

    /// Records that a snapshot at `marker` is stored. Save the snapshot file first: recovery needs both.
    public func saveSnapshotMarker(_ marker: WALSnapshotMarker) throws {
        try checkWritable()
        try append([.snapshot(marker)])
        lastIndex = max(lastIndex, marker.index)
        if offset >= options.segmentSize { try cut() }
    }

    /// Removes segments holding only entries at or below `index` (which a snapshot must cover). The
    /// segment that may hold `index` and every later one are kept, as is the tail.
    public func releaseTo(index: UInt64) throws {
        guard state == .writable || state == .opened else { throw WALError.invalidState("closed or failed") }
        guard let keep = segments.lastIndex(where: { $0.index <= index }), keep > 0 else { return }
        for segment in segments[0..<keep] { try WALFS.remove(WALFS.join(directory, segment.name)) }
        segments.removeFirst(keep)
        try WALFS.syncDirectory(directory)
    }

    /// Names of the segment files, oldest first (for tests and diagnostics).
    public var segmentNames: [String] { segments.map(\.name) }

    private func checkWritable() throws {
        switch state {
        case .writable: return
        case .opened: throw WALError.invalidState("call readAll before appending")
        case .failed: throw WALError.invalidState("an earlier write failed; reopen the log")
        case .closed: throw WALError.invalidState("closed")
        }
    }

    private func append(_ records: [WALRecord], sync: Bool = true) throws {
        var c = chain
        let buffer = WALRecord.encodeBatch(records, chain: &c)
        let tailPath = path(segments.count - 1)
        do {
            try WALFS.writeAll(fd, buffer, at: offset, path: tailPath)
            if sync { try WALFS.syncData(fd, path: tailPath) }
        } catch {
            state = .failed
            throw error
        }
        offset += buffer.count
        chain = c
    }

    /// Closes the tail at its data and starts the next segment.
    private func cut() throws {
        let tailPath = path(segments.count - 1)
        do {
            try WALFS.truncate(fd, to: offset, path: tailPath)
            try WALFS.sync(fd, path: tailPath)
            let old = fd
            fd = -1
            WALFS.close(old)
            try startSegment(WALSegment(seq: segments[segments.count - 1].seq + 1, index: lastIndex + 1), snapshotMarker: nil)
        } catch {
            state = .failed
            throw error
        }
    }

    /// Writes a new segment's head (crc, metadata, hard state or the initial snapshot marker) under a
    /// temporary name, then renames it into place and makes the rename durable.
    private func startSegment(_ segment: WALSegment, snapshotMarker: WALSnapshotMarker?) throws {
        let final = WALFS.join(directory, segment.name)
        let temp = final + Self.tempSuffix
        let newFD = try WALFS.open(temp, O_RDWR | O_CREAT | O_TRUNC)
        do {
            if options.preallocate { try WALFS.preallocate(newFD, to: options.segmentSize, path: temp) }
            var c = chain
            var head: [WALRecord] = [.crc(c), .metadata(metadata)]
            if let m = snapshotMarker { head.append(.snapshot(m)) }
            if !hardState.isEmpty { head.append(.hardState(hardState)) }
            let buffer = WALRecord.encodeBatch(head, chain: &c)
            try WALFS.writeAll(newFD, buffer, at: 0, path: temp)
            try WALFS.sync(newFD, path: temp)
            try WALFS.rename(temp, final)
            try WALFS.syncDirectory(directory)
            segments.append(segment)
            fd = newFD
            offset = buffer.count
            chain = c
        } catch {
            WALFS.close(newFD)
            try? WALFS.remove(temp)
            throw error
        }
    }
}
