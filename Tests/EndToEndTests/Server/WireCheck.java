import java.sql.*;

/**
 * Connects to meshql's PostgreSQL protocol with the JDBC driver, runs a parameterised query,
 * and lists the schemas, tables and columns DatabaseMetaData finds.
 */
public class WireCheck {
    public static void main(String[] args) throws Exception {
        String url = args[0], user = args[1], password = args[2], sql = args[3];
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            System.out.println("server: " + c.getMetaData().getDatabaseProductVersion());
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 4; i < args.length; i++) ps.setInt(i - 3, Integer.parseInt(args[i]));
                for (int round = 0; round < 6; round++) {   // past prepareThreshold (5): a named statement
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData md = rs.getMetaData();
                        StringBuilder out = new StringBuilder();
                        while (rs.next()) {
                            for (int j = 1; j <= md.getColumnCount(); j++) {
                                if (j > 1) out.append('|');
                                out.append(rs.getString(j));
                            }
                            out.append('\n');
                        }
                        if (round == 0 || round == 5) System.out.print(out);
                    }
                }
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1 AS one")) {
                rs.next();
                System.out.println("in a transaction: " + rs.getInt(1));
            }
            c.rollback();
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) System.out.println("schema: " + rs.getString("TABLE_SCHEM"));
            }
            try (ResultSet rs = md.getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) System.out.println("table: " + rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
            }
            try (ResultSet rs = md.getColumns(null, "wire", "people", "%")) {
                while (rs.next()) System.out.println("column: " + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " " + rs.getInt("DATA_TYPE"));
            }
        }
    }
}
