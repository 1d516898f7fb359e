import java.sql.*;

/** Connects to meshql's PostgreSQL protocol with the JDBC driver and runs a parameterised query. */
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
        }
    }
}
