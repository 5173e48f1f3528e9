package exposure

import (
	"bytes"
	"regexp"
)

// storeHit is one data-store or SQL error seen in a response.
type storeHit struct {
	// store is the stack name of the data store: "dynamodb", "postgresql",
	// "mysql", "sqlite", "oracle", "mssql", "mongodb", "redis", or "sql"
	// when only the SQL layer is known, "aws" for another AWS service.
	store string
	// lang is the client's language when the signature reveals it ("python" …).
	lang string
	// client names the library that raised the error ("botocore", "psycopg2" …), or "".
	client string
	// signal says, in our words, what was recognised.
	signal string
	// focus is the matched text, for the evidence excerpt.
	focus string
	// operation is the DynamoDB/AWS operation named by a botocore error, or "".
	operation string
}

// storeSig is one data-store error signature: an anchor literal, and
// optionally a regular expression that must match and further literals of
// which one must occur.
type storeSig struct {
	anchor int
	re     *regexp.Regexp
	also   []string
	store  string
	lang   string
	client string
	signal string
}

func sig(lit, store, lang, client, signal string) storeSig {
	return storeSig{anchor: anchor(lit), store: store, lang: lang, client: client, signal: signal}
}

func sigRe(lit, re, store, lang, client, signal string) storeSig {
	s := sig(lit, store, lang, client, signal)
	s.re = regexp.MustCompile(re)
	return s
}

func sigAlso(lit string, also []string, store, lang, client, signal string) storeSig {
	s := sig(lit, store, lang, client, signal)
	s.also = also
	return s
}

// botocore's ClientError format names the operation; DynamoDB's operations
// tell DynamoDB apart from other AWS services.
var (
	aBotoOp       = anchor(" when calling the ")
	botoOpRe      = regexp.MustCompile(`An error occurred \((\w+)\) when calling the (\w+) operation`)
	dynamoOps     = map[string]bool{}
	dynamoOpNames = []string{"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
		"BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "DescribeTable",
		"CreateTable", "UpdateTable", "DeleteTable", "ListTables", "ExecuteStatement",
		"BatchExecuteStatement", "ExecuteTransaction", "DescribeTimeToLive", "UpdateTimeToLive"}
)

func init() {
	for _, op := range dynamoOpNames {
		dynamoOps[op] = true
	}
}

// storeSigs are the data-store error signatures, most specific first.
var storeSigs = []storeSig{
	// DynamoDB and botocore.
	sig("ConditionalCheckFailedException", "dynamodb", "", "", "DynamoDB ConditionalCheckFailedException"),
	sig("ProvisionedThroughputExceededException", "dynamodb", "", "", "DynamoDB ProvisionedThroughputExceededException"),
	sig("TransactionCanceledException", "dynamodb", "", "", "DynamoDB TransactionCanceledException"),
	sigAlso("ResourceNotFoundException", []string{"Requested resource not found", "non-existent table", "dynamodb", "DynamoDB"},
		"dynamodb", "", "", "DynamoDB ResourceNotFoundException"),
	sigRe("com.amazonaws.services.dynamodbv2", `com\.amazonaws\.services\.dynamodbv2\.(?:model\.)?\w*Exception`, "dynamodb", "java", "aws-sdk-java", "AWS SDK for Java DynamoDB exception"),
	sigRe("software.amazon.awssdk.services.dynamodb", `software\.amazon\.awssdk\.services\.dynamodb\.(?:model\.)?\w*Exception`, "dynamodb", "java", "aws-sdk-java", "AWS SDK for Java v2 DynamoDB exception"),
	sig("com.amazonaws.dynamodb.v20120810#", "dynamodb", "", "", "DynamoDB API error type"),
	sig("pynamodb.exceptions", "dynamodb", "python", "pynamodb", "PynamoDB exception"),
	sig("The provided key element does not match the schema", "dynamodb", "", "", "DynamoDB key schema validation error"),
	sig("One or more parameter values were invalid", "dynamodb", "", "", "DynamoDB parameter validation error"),
	sig("One or more parameter values are not valid", "dynamodb", "", "", "DynamoDB parameter validation error"),
	sigRe("Invalid ", `Invalid (?:FilterExpression|KeyConditionExpression|ProjectionExpression|UpdateExpression|ConditionExpression): `,
		"dynamodb", "", "", "DynamoDB expression error"),
	sigAlso("Parameter validation failed:", []string{"Invalid type for parameter", "Missing required parameter in", "Unknown parameter in", "Invalid length for parameter"},
		"aws", "python", "botocore", "botocore parameter validation error"),
	sig("botocore.exceptions.", "aws", "python", "botocore", "botocore exception"),
	// PostgreSQL.
	sigRe("psycopg2.", `psycopg2\.(?:errors\.\w+|\w*Error)`, "postgresql", "python", "psycopg2", "psycopg2 (PostgreSQL) error"),
	sigRe("psycopg.", `psycopg\.(?:errors\.\w+|\w*Error)`, "postgresql", "python", "psycopg", "psycopg (PostgreSQL) error"),
	sig("asyncpg.exceptions", "postgresql", "python", "asyncpg", "asyncpg (PostgreSQL) error"),
	sig("org.postgresql.util.PSQLException", "postgresql", "java", "pgjdbc", "PostgreSQL JDBC exception"),
	sigRe("PG::", `PG::(?:\w+Error|\w+Violation|UndefinedTable|UndefinedColumn|InvalidTextRepresentation)\b`, "postgresql", "ruby", "pg", "Ruby pg (PostgreSQL) error"),
	sig("unterminated quoted string at or near", "postgresql", "", "", "PostgreSQL syntax error"),
	sig("syntax error at or near", "postgresql", "", "", "PostgreSQL syntax error"),
	sig("invalid input syntax for type", "postgresql", "", "", "PostgreSQL type error"),
	sig("current transaction is aborted, commands ignored", "postgresql", "", "", "PostgreSQL transaction error"),
	sigRe(" does not exist", `(?:relation|column) "[^"\n]+" (?:of relation "[^"\n]+" )?does not exist`, "postgresql", "", "", "PostgreSQL undefined table/column error"),
	// MySQL / MariaDB.
	sig("You have an error in your SQL syntax", "mysql", "", "", "MySQL syntax error"),
	sig("pymysql.err.", "mysql", "python", "pymysql", "PyMySQL error"),
	sigRe("MySQLdb", `MySQLdb\.(?:_exceptions\.)?\w*Error`, "mysql", "python", "mysqlclient", "MySQLdb error"),
	sig("mysql.connector.errors", "mysql", "python", "mysql-connector", "MySQL Connector error"),
	sigRe("com.mysql.", `com\.mysql\.(?:cj\.)?jdbc\.(?:exceptions\.)?(?:\w+\.)*\w*Exception`, "mysql", "java", "mysql-jdbc", "MySQL JDBC exception"),
	sig("MySQLSyntaxErrorException", "mysql", "java", "mysql-jdbc", "MySQL JDBC exception"),
	sig("mysqli_sql_exception", "mysql", "php", "mysqli", "PHP mysqli exception"),
	sigRe("ER_", `\bER_(?:PARSE_ERROR|BAD_FIELD_ERROR|NO_SUCH_TABLE|DUP_ENTRY|ACCESS_DENIED_ERROR|BAD_DB_ERROR|WRONG_VALUE_COUNT_ON_ROW|TRUNCATED_WRONG_VALUE)\b`,
		"mysql", "node", "mysql", "MySQL driver error code"),
	sigRe("Unknown column '", `Unknown column '[^'\n]+' in '(?:field list|where clause|order clause|on clause)'`, "mysql", "", "", "MySQL unknown column error"),
	// SQLite.
	sigRe("sqlite3.", `sqlite3\.\w*Error`, "sqlite", "python", "sqlite3", "Python sqlite3 error"),
	sigRe("SQLITE_", `\bSQLITE_(?:ERROR|CONSTRAINT|MISMATCH|RANGE|READONLY|BUSY)\b`, "sqlite", "", "", "SQLite error code"),
	sigRe("SQLite3::", `SQLite3::\w+Exception`, "sqlite", "ruby", "sqlite3", "SQLite3 exception"),
	sig("SQLiteException", "sqlite", "", "", "SQLite exception"),
	sig("SqliteException", "sqlite", "dotnet", "", "SQLite exception"),
	sigRe("unrecognized token: ", `unrecognized token: "[^"\n]*"`, "sqlite", "", "", "SQLite syntax error"),
	sigRe("no such ", `no such (?:table|column): [\w.]+`, "sqlite", "", "", "SQLite undefined table/column error"),
	// Oracle.
	sigRe("ORA-", `\bORA-\d{5}:`, "oracle", "", "", "Oracle ORA- error"),
	sigRe("oracle.jdbc", `oracle\.jdbc\.(?:\w+\.)*\w*Exception`, "oracle", "java", "ojdbc", "Oracle JDBC exception"),
	// SQL Server.
	sig("Unclosed quotation mark after the character string", "mssql", "", "", "SQL Server syntax error"),
	sig("SqlClient.SqlException", "mssql", "dotnet", "SqlClient", "SQL Server SqlException"),
	sig("[SQL Server]", "mssql", "", "", "SQL Server ODBC error"),
	sigRe("com.microsoft.sqlserver.jdbc", `com\.microsoft\.sqlserver\.jdbc\.SQLServerException`, "mssql", "java", "mssql-jdbc", "SQL Server JDBC exception"),
	sig("Incorrect syntax near", "mssql", "", "", "SQL Server syntax error"),
	// SQL through an ORM or driver layer (the database is not named).
	sigRe("SQLSTATE", `SQLSTATE\[[0-9A-Z]{5}\]`, "sql", "php", "PDO", "PDO SQLSTATE error"),
	sig("sqlalchemy.exc.", "sql", "python", "sqlalchemy", "SQLAlchemy exception"),
	sigRe("django.db.utils.", `django\.db\.utils\.\w*Error`, "sql", "python", "django", "Django database error"),
	sigRe("java.sql.SQL", `java\.sql\.SQL\w*Exception`, "sql", "java", "jdbc", "JDBC SQLException"),
	sig("org.hibernate.exception.", "sql", "java", "hibernate", "Hibernate exception"),
	sigRe("Sequelize", `Sequelize\w*Error`, "sql", "node", "sequelize", "Sequelize error"),
	sigRe("PrismaClient", `PrismaClient\w*Error`, "sql", "node", "prisma", "Prisma error"),
	sig("QueryFailedError", "sql", "node", "typeorm", "TypeORM query error"),
	sigRe("ActiveRecord::", `ActiveRecord::(?:StatementInvalid|RecordNotUnique|InvalidForeignKey|NotNullViolation|ConnectionNotEstablished)`, "sql", "ruby", "activerecord", "ActiveRecord database error"),
	// MongoDB.
	sigRe("Mongo", `\bMongo(?:Server|Network|Parse|Bulk|Write|Invalid|Driver)?(?:Error|Exception)\b`, "mongodb", "", "", "MongoDB driver error"),
	sig("pymongo.errors.", "mongodb", "python", "pymongo", "PyMongo error"),
	sigRe("com.mongodb.", `com\.mongodb\.(?:\w+\.)*Mongo\w*Exception`, "mongodb", "java", "mongodb-java", "MongoDB Java driver exception"),
	sig("E11000 duplicate key error", "mongodb", "", "", "MongoDB duplicate key error"),
	sig("Cast to ObjectId failed", "mongodb", "node", "mongoose", "Mongoose cast error"),
	sigRe("Mongoose", `Mongoose\w*Error`, "mongodb", "node", "mongoose", "Mongoose error"),
	sig("bson.errors.", "mongodb", "python", "bson", "BSON error"),
	// Redis.
	sig("redis.exceptions.", "redis", "python", "redis-py", "redis-py exception"),
	sig("WRONGTYPE Operation against a key", "redis", "", "", "Redis WRONGTYPE error"),
	sigRe("ReplyError", `ReplyError: (?:ERR|WRONGTYPE|NOAUTH|MOVED) `, "redis", "node", "ioredis", "Redis reply error"),
}

// detectStoreErrors finds data-store and SQL errors in p, one per store.
func detectStoreErrors(p *page) []storeHit {
	if p.spec || p.class == classScript {
		return nil
	}
	var out []storeHit
	seen := map[string]bool{}
	add := func(h storeHit) {
		if seen[h.store] {
			return
		}
		if reflected(p.ex, h.focus) {
			return // the request carried the text: an echo, not an error
		}
		seen[h.store] = true
		out = append(out, h)
	}
	b := p.body
	if p.hits.has(aBotoOp) {
		if m := findNearSubmatch(b, anchors.lits[aBotoOp], botoOpRe); m != nil {
			op := string(b[m[4]:m[5]])
			h := storeHit{store: "aws", lang: "python", client: "botocore", operation: op,
				signal: "botocore ClientError from an AWS service call", focus: string(b[m[0]:m[1]])}
			if dynamoOps[op] || bytes.Contains(b, []byte("dynamodb")) || bytes.Contains(b, []byte("DynamoDB")) {
				h.store = "dynamodb"
				h.signal = "botocore ClientError from a DynamoDB " + op + " call"
			}
			add(h)
		}
	}
	for i := range storeSigs {
		s := &storeSigs[i]
		if !p.hits.has(s.anchor) || seen[s.store] {
			continue
		}
		focus := anchors.lits[s.anchor]
		if s.re != nil {
			loc := findNear(b, focus, s.re)
			if loc == nil {
				continue
			}
			focus = string(b[loc[0]:loc[1]])
		}
		if len(s.also) > 0 && firstOf(b, s.also...) == "" {
			continue
		}
		h := storeHit{store: s.store, lang: s.lang, client: s.client, signal: s.signal, focus: focus}
		if h.store == "aws" && (bytes.Contains(b, []byte("dynamodb")) || bytes.Contains(b, []byte("DynamoDB"))) {
			h.store = "dynamodb"
		}
		add(h)
	}
	// A generic "sql" or "aws" hit adds nothing when a specific store was named.
	if len(out) > 1 {
		specific := false
		for _, h := range out {
			if h.store != "sql" && h.store != "aws" {
				specific = true
			}
		}
		if specific {
			kept := out[:0]
			for _, h := range out {
				if h.store != "sql" && h.store != "aws" {
					kept = append(kept, h)
				}
			}
			out = kept
		}
	}
	return out
}

// Regular expressions of signatures run only in a window around each
// occurrence of their anchor, and at most around maxNear occurrences, so that
// a large body that merely mentions a word costs little.
const (
	nearBefore = 256
	nearAfter  = 512
	maxNear    = 32
)

// findNear returns the position in b of the first match of re that overlaps
// a window around an occurrence of lit, or nil.
func findNear(b []byte, lit string, re *regexp.Regexp) []int {
	m := findNearSubmatch(b, lit, re)
	if m == nil {
		return nil
	}
	return m[:2]
}

// findNearSubmatch is findNear returning submatch positions as well.
func findNearSubmatch(b []byte, lit string, re *regexp.Regexp) []int {
	var out []int
	n, covered := 0, -1
	eachIndex(b, lit, func(i int) bool {
		if i < covered {
			return true // inside the window searched last
		}
		if n++; n > maxNear {
			return false
		}
		lo, hi := max(0, i-nearBefore), min(len(b), i+len(lit)+nearAfter)
		covered = hi - len(lit)
		if m := re.FindSubmatchIndex(b[lo:hi]); m != nil {
			out = m
			for k := range out {
				if out[k] >= 0 {
					out[k] += lo
				}
			}
			return false
		}
		return true
	})
	return out
}
