#include "datasets/index_cache.h"

#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>

#include <limits>
#include <memory>

#include "core/error.h"
#include "core/sqlite.h"

namespace fer::datasets {
namespace fs = boost::filesystem;
namespace {

constexpr int kSchemaVersion = 1;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL, root TEXT NOT NULL,
  image_root TEXT NOT NULL, class_names TEXT NOT NULL,
  correlation TEXT NOT NULL, train_class_counts TEXT NOT NULL, node_words TEXT NOT NULL,
  embedding_dim INTEGER NOT NULL, node_embeddings TEXT NOT NULL, embedding_source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS splits (
  key TEXT NOT NULL REFERENCES entries (key) ON DELETE CASCADE,
  split INTEGER NOT NULL, name TEXT NOT NULL, rows_read INTEGER NOT NULL, kept INTEGER NOT NULL,
  dropped_by_code TEXT NOT NULL,
  PRIMARY KEY (key, split)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS samples (
  key TEXT NOT NULL REFERENCES entries (key) ON DELETE CASCADE,
  split INTEGER NOT NULL, ord INTEGER NOT NULL,
  image TEXT NOT NULL, expression INTEGER NOT NULL, valence REAL, arousal REAL,
  has_geometry INTEGER NOT NULL, box_x REAL, box_y REAL, box_w REAL, box_h REAL,
  left_eye_x REAL, left_eye_y REAL, right_eye_x REAL, right_eye_y REAL,
  PRIMARY KEY (key, split, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_errors (
  key TEXT NOT NULL REFERENCES entries (key) ON DELETE CASCADE,
  split INTEGER NOT NULL, ord INTEGER NOT NULL,
  file TEXT NOT NULL, line INTEGER NOT NULL, field TEXT NOT NULL, message TEXT NOT NULL,
  PRIMARY KEY (key, split, ord)
) WITHOUT ROWID;
)sql";

int schema_version(Database& db) { return static_cast<int>(as_int(db.query("PRAGMA user_version").at(0).at(0))); }

template <typename T>
T from_json(const std::string& text) {
  return nlohmann::json::parse(text).get<T>();
}

// Numbers as a JSON array; NaN (a correlation of a constant column) is stored as null.
template <typename T>
std::string numbers_to_json(const std::vector<T>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (T v : values) out.push_back(v == v ? nlohmann::json(v) : nlohmann::json(nullptr));
  return out.dump();
}

template <typename T>
std::vector<T> numbers_from_json(const std::string& text) {
  std::vector<T> out;
  for (const auto& v : nlohmann::json::parse(text)) {
    out.push_back(v.is_null() ? std::numeric_limits<T>::quiet_NaN() : v.get<T>());
  }
  return out;
}

void write_split(Database& db, const std::string& key, int index, const Split& split) {
  const SplitReport& r = split.report;
  db.query("INSERT INTO splits VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
           {key, int64_t{index}, r.split, r.rows_read, r.kept, nlohmann::json(r.dropped_by_code).dump()});
  Statement insert(db, "INSERT INTO samples VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  int64_t ord = 0;
  for (const Sample& s : split.samples) {
    insert.run({key, int64_t{index}, ord++, s.image, int64_t{s.expression}, double{s.valence}, double{s.arousal},
                int64_t{s.has_geometry}, double{s.box_x}, double{s.box_y}, double{s.box_w}, double{s.box_h},
                double{s.left_eye.x}, double{s.left_eye.y}, double{s.right_eye.x}, double{s.right_eye.y}});
  }
  Statement error(db, "INSERT INTO row_errors VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  ord = 0;
  for (const RowError& e : r.errors) error.run({key, int64_t{index}, ord++, e.file, e.line, e.field, e.message});
}

Split read_split(Database& db, const std::string& key, int index) {
  Split split;
  const auto report = db.query("SELECT name, rows_read, kept, dropped_by_code FROM splits WHERE key = ?1 AND split = ?2",
                               {key, int64_t{index}});
  if (report.empty()) throw Error("read index cache", db.path(), 0, "splits", "entry without split " + std::to_string(index));
  split.report.split = as_string(report[0][0]);
  split.report.rows_read = as_int(report[0][1]);
  split.report.kept = as_int(report[0][2]);
  split.report.dropped_by_code = from_json<std::map<std::string, int64_t>>(as_string(report[0][3]));
  Statement samples(db, "SELECT image, expression, valence, arousal, has_geometry, box_x, box_y, box_w, box_h, "
                        "left_eye_x, left_eye_y, right_eye_x, right_eye_y FROM samples WHERE key = ?1 AND split = ?2 "
                        "ORDER BY ord");
  samples.bind({key, int64_t{index}});
  while (samples.step()) {
    Sample s;
    s.image = samples.column_text(0);
    s.expression = static_cast<int32_t>(samples.column_int(1));
    s.has_geometry = samples.column_int(4) != 0;
    float* fields[] = {&s.valence, &s.arousal, nullptr, &s.box_x, &s.box_y, &s.box_w, &s.box_h,
                       &s.left_eye.x, &s.left_eye.y, &s.right_eye.x, &s.right_eye.y};
    for (int c = 2; c <= 12; ++c) {
      if (fields[c - 2]) *fields[c - 2] = static_cast<float>(samples.column_double(c));
    }
    split.samples.push_back(std::move(s));
  }
  for (const auto& row : db.query("SELECT file, line, field, message FROM row_errors WHERE key = ?1 AND split = ?2 "
                                  "ORDER BY ord", {key, int64_t{index}})) {
    split.report.errors.push_back({as_string(row[0]), as_int(row[1]), as_string(row[2]), as_string(row[3])});
  }
  return split;
}

std::optional<CachedIndex> read_entry(Database& db, const std::string& key) {
  if (schema_version(db) != kSchemaVersion) return std::nullopt;
  std::optional<CachedIndex> out;
  db.transaction([&] {  // One snapshot: a concurrent writer cannot interleave.
    const auto rows = db.query("SELECT image_root, class_names, correlation, train_class_counts, node_words, "
                               "embedding_dim, node_embeddings, embedding_source FROM entries WHERE key = ?1", {key});
    if (rows.empty()) return;
    CachedIndex e;
    e.index.image_root = as_string(rows[0][0]);
    e.index.class_names = from_json<std::vector<std::string>>(as_string(rows[0][1]));
    e.correlation = numbers_from_json<double>(as_string(rows[0][2]));
    e.train_class_counts = from_json<std::vector<int64_t>>(as_string(rows[0][3]));
    e.node_words = from_json<std::vector<std::string>>(as_string(rows[0][4]));
    e.embedding_dim = static_cast<int>(as_int(rows[0][5]));
    e.node_embeddings = numbers_from_json<float>(as_string(rows[0][6]));
    e.embedding_source = as_string(rows[0][7]);
    e.index.train = read_split(db, key, 0);
    e.index.val = read_split(db, key, 1);
    out = std::move(e);
  });
  return out;
}

}  // namespace

std::string index_cache_path(const std::string& cache_root) {
  return (fs::path(cache_root) / "index" / "index-cache.db").string();
}

std::optional<CachedIndex> read_cached_index(const std::string& cache_root, const std::string& key) {
  const std::string path = index_cache_path(cache_root);
  if (!fs::exists(path)) return std::nullopt;
  try {
    Database db(path);
    return read_entry(db, key);
  } catch (const std::exception&) {
    return std::nullopt;  // Corrupt or foreign file: a miss; write_cached_index rebuilds it.
  }
}

void write_cached_index(const std::string& cache_root, const std::string& key, const std::string& name,
                        const std::string& root, const CachedIndex& e) {
  const std::string path = index_cache_path(cache_root);
  fs::create_directories(fs::path(path).parent_path());
  auto open = [&]() -> std::unique_ptr<Database> {
    auto db = std::make_unique<Database>(path);
    db->transaction([&] {
      const int version = schema_version(*db);
      if (version != 0 && version != kSchemaVersion) {
        throw Error("write index cache", path, 0, "", "schema version " + std::to_string(version));
      }
      db->exec(kSchema);
      db->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    });
    return db;
  };
  std::unique_ptr<Database> db;
  try {
    db = open();
  } catch (const Error&) {
    // Not a cache this version can use (corrupt, or another schema): start it again.
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
    db = open();
  }
  db->transaction([&] {
    db->query("DELETE FROM entries WHERE key = ?1 OR (name = ?2 AND root = ?3)", {key, name, root});
    db->query("INSERT INTO entries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
              {key, name, root, e.index.image_root, nlohmann::json(e.index.class_names).dump(),
               numbers_to_json(e.correlation), nlohmann::json(e.train_class_counts).dump(),
               nlohmann::json(e.node_words).dump(), int64_t{e.embedding_dim}, numbers_to_json(e.node_embeddings),
               e.embedding_source});
    write_split(*db, key, 0, e.index.train);
    write_split(*db, key, 1, e.index.val);
  });
}

}  // namespace fer::datasets
