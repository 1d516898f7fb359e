import Foundation
import MeshCore

extension TestPostgres {
    /// A private cluster in its own temporary directory: data, log and unix socket all live
    /// there, so nothing of an earlier (perhaps crashed) run can get in the way.
    final class Cluster: Sendable {
        let directory: String
        let port: Int
        let pgCtl: String
        let psql: String
        /// `runuser` when running as root (PostgreSQL refuses to run as root), else nil.
        let runuser: String?

        var dataDirectory: String { directory + "/data" }
        var conninfo: String { "host=127.0.0.1 port=\(port) user=postgres dbname=postgres" }

        private init(directory: String, port: Int, pgCtl: String, psql: String, runuser: String?) {
            self.directory = directory
            self.port = port
            self.pgCtl = pgCtl
            self.psql = psql
            self.runuser = runuser
        }

        static let directoryPrefix = "meshql-pg-"

        /// initdb + pg_ctl start. Throws with the tools' output when that fails.
        static func create(initdb: String) throws -> Cluster {
            let binDir = URL(fileURLWithPath: initdb).resolvingSymlinksInPath().deletingLastPathComponent().path
            func tool(_ name: String) -> String? {
                let sibling = binDir + "/" + name
                return FileManager.default.isExecutableFile(atPath: sibling) ? sibling : Subprocess.which(name)
            }
            guard let pgCtl = tool("pg_ctl"), let psql = tool("psql") else {
                throw MeshError(.internalError, "initdb found at \(initdb) but pg_ctl or psql is missing")
            }
            var runuser: String?
            if geteuid() == 0 {
                guard let r = Subprocess.which("runuser"), getpwnam("postgres") != nil else {
                    throw MeshError(.internalError,
                                    "running as root: starting PostgreSQL needs runuser and a postgres user")
                }
                runuser = r
            }
            let base = shortTemporaryDirectory()
            removeStaleClusters(in: base, pgCtl: pgCtl, runuser: runuser)

            let dir = base + "/" + directoryPrefix + "\(getpid())-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "\(getpid())\n".write(toFile: dir + "/owner.pid", atomically: true, encoding: .utf8)
            if runuser != nil, let pw = getpwnam("postgres") {
                guard chown(dir, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else {
                    throw MeshError(.internalError, "cannot chown \(dir) to postgres")
                }
            }
            chmod(dir, 0o700)

            var lastError: Error?
            for _ in 0..<3 {
                let port = try LoopbackPort.free()
                let cluster = Cluster(directory: dir, port: port, pgCtl: pgCtl, psql: psql, runuser: runuser)
                do {
                    if !FileManager.default.fileExists(atPath: cluster.dataDirectory) {
                        try cluster.asPostgres(initdb, ["-D", cluster.dataDirectory, "-A", "trust", "-U", "postgres",
                                                        "-E", "UTF8", "--locale=C", "--no-sync"], what: "initdb")
                    }
                    let options = "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off"
                        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
                    try cluster.asPostgres(pgCtl, ["-D", cluster.dataDirectory, "-l", dir + "/server.log",
                                                   "-w", "-t", "60", "-o", options, "start"], what: "pg_ctl start")
                    return cluster
                } catch {
                    // Most likely another process took the port between probing and starting.
                    lastError = error
                    cluster.stopServer()
                }
            }
            try? FileManager.default.removeItem(atPath: dir)
            throw lastError ?? MeshError(.internalError, "cannot start the test PostgreSQL cluster")
        }

        /// Stops the server and removes the directory.
        func stop() {
            stopServer()
            try? FileManager.default.removeItem(atPath: directory)
        }

        private func stopServer() {
            guard FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") else { return }
            let ok = (try? asPostgres(pgCtl, ["-D", dataDirectory, "-w", "-t", "30", "-m", "fast", "stop"],
                                      what: "pg_ctl stop")) != nil
            if !ok {
                _ = try? asPostgres(pgCtl, ["-D", dataDirectory, "-w", "-m", "immediate", "stop"], what: "pg_ctl stop")
            }
        }

        @discardableResult
        private func asPostgres(_ program: String, _ args: [String], what: String) throws -> String {
            if let runuser {
                return try Subprocess.check(runuser, ["-u", "postgres", "--", program] + args, what: what)
            }
            return try Subprocess.check(program, args, what: what)
        }

        /// Clusters of earlier test processes that died without running their exit handler
        /// (a crash, SIGKILL): stop them and remove their directories.
        private static func removeStaleClusters(in base: String, pgCtl: String, runuser: String?) {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
            for entry in entries where entry.hasPrefix(directoryPrefix) {
                let dir = base + "/" + entry
                guard let text = try? String(contentsOfFile: dir + "/owner.pid", encoding: .utf8),
                      let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
                if kill(pid, 0) == 0 || errno != ESRCH { continue }   // owner still alive
                let stale = Cluster(directory: dir, port: 0, pgCtl: pgCtl, psql: "", runuser: runuser)
                if FileManager.default.fileExists(atPath: stale.dataDirectory + "/postmaster.pid") {
                    _ = try? stale.asPostgres(pgCtl, ["-D", stale.dataDirectory, "-w", "-m", "immediate", "stop"],
                                              what: "pg_ctl stop")
                }
                try? FileManager.default.removeItem(atPath: dir)
            }
        }

        /// A directory with a short path: the unix socket path must stay under ~100 bytes.
        private static func shortTemporaryDirectory() -> String {
            var t = NSTemporaryDirectory()
            while t.hasSuffix("/") { t.removeLast() }
            return t.utf8.count <= 40 ? t : "/tmp"
        }
    }
}
