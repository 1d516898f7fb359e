import Foundation
import MeshCatalog
import MeshCore
import MeshLineage
import MeshPlan
import MeshSQL

extension Session {
    /// The lineage graph around `name` (`mesh.product`): its bases, if it is derived, and the
    /// derived products that read it.
    public func productLineage(_ name: String) throws -> ProductLineage {
        // Two plain identifiers, folded to lower case as SQL folds them: the name is put in
        // SQL below and compared with the catalog's names.
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map { $0.lowercased() }
        let identifier = /[a-z_][a-z0-9_$]*/
        guard parts.count == 2, parts.allSatisfy({ $0.wholeMatch(of: identifier) != nil }) else {
            throw MeshError(.invalidParameter, "a data product is named mesh.product (two identifiers)")
        }
        let name = parts.joined(separator: ".")
        // Binding it checks that it exists and that the principal may read it (the position
        // in the SQL made for that would mean nothing to the caller).
        let root: [ProductLineage.Link]
        do {
            root = try links(into: name)
        } catch let e as MeshError {
            throw MeshError(e.code, e.message, hint: e.hint)
        }
        var links = root
        var products = Set([name] + root.map(\.from))
        // Only the views the index says read it are bound (as the principal, who may not see
        // them all), not every view of the org.
        let index = try viewReadIndex()
        let targetID = try catalog.mesh(sqlName: parts[0], org: org).flatMap { try catalog.product(meshId: $0.id, name: parts[1], org: org) }?.id
        for mesh in try catalog.meshes(org: org) {
            for p in try catalog.products(meshId: mesh.id, org: org) where targetID.map({ index[p.id]?.contains($0) ?? false }) ?? false {
                let derived = mesh.sqlName + "." + p.name
                guard derived != name, let into = try? self.links(into: derived), into.contains(where: { $0.from == name }) else { continue }
                links += into.filter { $0.from == name }
                products.insert(derived)
            }
        }
        var nodes: [ProductLineage.Node] = []
        for product in products.sorted() {
            let pieces = product.split(separator: ".").map(String.init)
            let mesh = try catalog.mesh(sqlName: pieces[0], org: org)
            let record = try mesh.flatMap { try catalog.product(meshId: $0.id, name: pieces[1], org: org) }
            nodes.append(.init(product: product, mesh: pieces[0], derived: record?.viewSQL != nil))
        }
        return ProductLineage(product: name, nodes: nodes, links: links.sorted { ($0.from, $0.to) < ($1.from, $1.to) })
    }

    /// The products `product` reads, column by column (none unless it is derived).
    private func links(into product: String) throws -> [ProductLineage.Link] {
        let bound = try bind(try Parser.parseQuery("SELECT * FROM " + product))
        var byBase: [String: [ProductLineage.ColumnLink]] = [:]
        for field in ColumnLineage.of(bound.plan).fields {
            for input in field.inputs where input.source.product != product {
                byBase[input.source.product, default: []].append(
                    .init(from: input.source.column, to: field.name, subtype: input.subtype.rawValue))
            }
        }
        return byBase.map { ProductLineage.Link(from: $0.key, to: product, columns: $0.value) }
    }
}

/// The graph as text people can look at.
extension ProductLineage {
    /// A Mermaid flowchart: a box per mesh holding its products, derived ones double-edged
    /// (Mermaid's subroutine shape), and an arrow per base labelled with the columns it feeds.
    public var mermaid: String {
        var lines = ["flowchart LR"]
        func id(_ product: String) -> String { "p_" + product.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() }
        func label(_ s: String) -> String { s.replacingOccurrences(of: "\"", with: "#quot;") }
        for (mesh, nodes) in Dictionary(grouping: nodes, by: \.mesh).sorted(by: { $0.key < $1.key }) {
            lines.append("  subgraph m_\(id(mesh)) [\"mesh \(label(mesh))\"]")
            for n in nodes {
                // No-break spaces: Mermaid wraps a label at ~200 px on an ordinary space.
                let text = label(n.product) + (n.product == product ? "\u{00A0}★" : "")
                lines.append(n.derived ? "    \(id(n.product))[[\"\(text)\"]]" : "    \(id(n.product))[\"\(text)\"]")
            }
            lines.append("  end")
        }
        for l in links {
            let columns = l.columns.map { "\($0.from)\u{00A0}→\u{00A0}\($0.to)" }
            let shown = columns.prefix(4).joined(separator: "<br/>") + (columns.count > 4 ? "<br/>…" : "")
            lines.append("  \(id(l.from)) -->|\"\(label(shown))\"| \(id(l.to))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Graphviz: a cluster per mesh.
    public var dot: String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = ["digraph lineage {", "  rankdir=LR;"]
        for (mesh, nodes) in Dictionary(grouping: nodes, by: \.mesh).sorted(by: { $0.key < $1.key }) {
            lines.append("  subgraph \(q("cluster_" + mesh)) {")
            lines.append("    label=\(q("mesh " + mesh));")
            for n in nodes { lines.append("    \(q(n.product)) [shape=\(n.derived ? "ellipse" : "box")\(n.product == product ? ", penwidth=2" : "")];") }
            lines.append("  }")
        }
        for l in links {
            lines.append("  \(q(l.from)) -> \(q(l.to)) [label=\(q(l.columns.map { "\($0.from) → \($0.to)" }.joined(separator: "\n")))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The graph as JSON.
    public var json: String {
        let data = (try? JSONSerialization.data(withJSONObject: jsonObject, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The graph for JSONSerialization: the product, its nodes, its links column by column,
    /// and the queries that read it lately.
    public var jsonObject: [String: Any] {
        [
            "product": product,
            "nodes": nodes.map { ["product": $0.product, "mesh": $0.mesh, "derived": $0.derived] },
            "links": links.map { l in
                ["from": l.from, "to": l.to,
                 "columns": l.columns.map { ["from": $0.from, "to": $0.to, "subtype": $0.subtype] }]
            },
            "recent_queries": recentQueries.map(\.historyJSON),
        ]
    }

    /// The graph for a terminal (the shell's `\lineage`): the bases feeding the product, the
    /// products derived from it, each with the columns it feeds, then the queries that read
    /// it lately.
    public var text: String {
        let mesh = Dictionary(nodes.map { ($0.product, $0) }, uniquingKeysWith: { a, _ in a })
        func columns(_ l: Link) -> String { l.columns.map { "\($0.from) → \($0.to)" }.joined(separator: ", ") }
        var lines = ["\(product) (\(mesh[product]?.derived == true ? "derived, " : "")mesh \(mesh[product]?.mesh ?? "?"))"]
        let upstream = links.filter { $0.to == product }, downstream = links.filter { $0.from == product }
        lines.append(upstream.isEmpty ? "  reads no other data product" : "  reads:")
        for l in upstream { lines.append("    \(l.from) (mesh \(mesh[l.from]?.mesh ?? "?")): \(columns(l))") }
        lines.append(downstream.isEmpty ? "  no derived data product reads it" : "  read by:")
        for l in downstream { lines.append("    \(l.to) (mesh \(mesh[l.to]?.mesh ?? "?")): \(columns(l))") }
        lines.append(recentQueries.isEmpty ? "  no query you can see read it lately" : "  read lately by:")
        for q in recentQueries { lines.append("    " + q.historyLine) }
        return lines.joined(separator: "\n")
    }
}
