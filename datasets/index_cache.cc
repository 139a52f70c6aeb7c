#include "datasets/index_cache.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json.h"
#include "core/sqlite.h"

namespace fer::datasets {
namespace fs = boost::filesystem;
namespace {

constexpr int kSchemaVersion = 5;

const char* const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL, root TEXT NOT NULL,
  image_root TEXT NOT NULL, layout TEXT NOT NULL, class_names TEXT NOT NULL,
  correlation TEXT NOT NULL, train_class_counts TEXT NOT NULL, node_words TEXT NOT NULL,
  embedding_dim INTEGER NOT NULL, node_embeddings TEXT NOT NULL, embedding_source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS splits (
  entry INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  split INTEGER NOT NULL, name TEXT NOT NULL, rows_read INTEGER NOT NULL, kept INTEGER NOT NULL,
  dropped_by_code TEXT NOT NULL,
  -- The samples, one column each (n = kept): image paths as a JSON array; expression int32,
  -- has_geometry uint8, valence/arousal float32 and geometry float32 x 8 (box x, y, w, h, left
  -- eye x, y, right eye x, y) as arrays in this machine's byte order (the cache is local).
  images TEXT NOT NULL, expression BLOB NOT NULL, has_geometry BLOB NOT NULL,
  valence BLOB NOT NULL, arousal BLOB NOT NULL, geometry BLOB NOT NULL,
  PRIMARY KEY (entry, split)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_errors (
  entry INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE,
  split INTEGER NOT NULL, ord INTEGER NOT NULL,
  file TEXT NOT NULL, line INTEGER NOT NULL, field TEXT NOT NULL, message TEXT NOT NULL,
  defect TEXT NOT NULL,
  -- The image a defect concerns and its file_identity() when the entry was written ('' if none).
  image TEXT NOT NULL, image_identity TEXT NOT NULL,
  PRIMARY KEY (entry, split, ord)
) WITHOUT ROWID;
)sql";

int schema_version(Database& db) {
  return static_cast<int>(as_int(db.query("PRAGMA user_version").at(0).at(0)));
}

template <typename T>
T from_json(const std::string& text) {
  return nlohmann::json::parse(text).get<T>();
}

constexpr int kGeometryValues = 8;

template <typename T>
void bind_array(Statement& statement, int index, const std::vector<T>& values) {
  statement.bind_blob(index, values.data(), values.size() * sizeof(T));
}

// The array stored in a BLOB column; an unexpected length is a corrupt entry (a miss).
template <typename T>
std::vector<T> blob_array(const Statement& statement, int column, size_t n,
                          const std::string& path) {
  const std::string bytes = statement.column_blob(column);
  if (bytes.size() != n * sizeof(T)) {
    throw Error("read index cache", path, 0, "splits",
                "column " + std::to_string(column) + " holds " + std::to_string(bytes.size()) +
                    " bytes for " + std::to_string(n) + " samples");
  }
  std::vector<T> out(n);
  if (n) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

void write_split(Database& db, int64_t entry, int index, const Split& split) {
  const SplitReport& r = split.report;
  const size_t n = split.samples.size();
  std::vector<std::string> images(n);
  std::vector<int32_t> expression(n);
  std::vector<uint8_t> has_geometry(n);
  std::vector<float> valence(n), arousal(n), geometry(n * kGeometryValues);
  for (size_t i = 0; i < n; ++i) {
    const Sample& s = split.samples[i];
    images[i] = s.image;
    expression[i] = s.expression;
    has_geometry[i] = s.has_geometry;
    valence[i] = s.valence;
    arousal[i] = s.arousal;
    const float g[kGeometryValues] = {s.box_x,      s.box_y,      s.box_w,       s.box_h,
                                      s.left_eye.x, s.left_eye.y, s.right_eye.x, s.right_eye.y};
    std::copy(g, g + kGeometryValues,
              geometry.begin() + static_cast<std::ptrdiff_t>(i * kGeometryValues));
  }
  Statement insert(db,
                   "INSERT INTO splits VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  insert.bind({entry, int64_t{index}, r.split, r.rows_read, r.kept,
               nlohmann::json(r.dropped_by_code).dump(), nlohmann::json(images).dump()});
  bind_array(insert, 8, expression);
  bind_array(insert, 9, has_geometry);
  bind_array(insert, 10, valence);
  bind_array(insert, 11, arousal);
  bind_array(insert, 12, geometry);
  while (insert.step()) {
  }
  Statement error(db, "INSERT INTO row_errors VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  int64_t ord = 0;
  for (const RowError& e : r.errors) {
    const std::string identity = e.image.empty() ? "" : file_identity(e.image);
    error.run({entry, int64_t{index}, ord++, e.file, e.line, e.field, e.message, e.defect, e.image,
               identity});
  }
}

Split read_split(Database& db, int64_t entry, int index, bool* stale) {
  Split split;
  Statement row(
      db,
      "SELECT name, kept, rows_read, dropped_by_code, images, expression, has_geometry, valence, "
      "arousal, geometry FROM splits WHERE entry = ?1 AND split = ?2");
  row.bind({entry, int64_t{index}});
  if (!row.step())
    throw Error("read index cache", db.path(), 0, "splits",
                "entry without split " + std::to_string(index));
  SplitReport& r = split.report;
  r.split = row.column_text(0);
  r.kept = row.column_int(1);
  r.rows_read = row.column_int(2);
  r.dropped_by_code = from_json<std::map<std::string, int64_t>>(row.column_text(3));
  auto images = from_json<std::vector<std::string>>(row.column_text(4));
  const size_t n = images.size();
  const auto expression = blob_array<int32_t>(row, 5, n, db.path());
  const auto has_geometry = blob_array<uint8_t>(row, 6, n, db.path());
  const auto valence = blob_array<float>(row, 7, n, db.path()),
             arousal = blob_array<float>(row, 8, n, db.path());
  const auto geometry = blob_array<float>(row, 9, n * kGeometryValues, db.path());
  split.samples.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Sample& s = split.samples[i];
    s.image = std::move(images[i]);
    s.expression = expression[i];
    s.has_geometry = has_geometry[i] != 0;
    s.valence = valence[i];
    s.arousal = arousal[i];
    const float* g = geometry.data() + i * kGeometryValues;
    s.box_x = g[0];
    s.box_y = g[1];
    s.box_w = g[2];
    s.box_h = g[3];
    s.left_eye = {g[4], g[5]};
    s.right_eye = {g[6], g[7]};
  }
  for (const auto& e :
       db.query("SELECT file, line, field, message, defect, image, image_identity FROM row_errors "
                "WHERE entry = ?1 AND split = ?2 ORDER BY ord",
                {entry, int64_t{index}})) {
    r.errors.push_back({as_string(e[0]), as_int(e[1]), as_string(e[2]), as_string(e[3]),
                        as_string(e[4]), as_string(e[5])});
    if (!r.errors.back().image.empty() && file_identity(r.errors.back().image) != as_string(e[6])) {
      *stale = true;  // A defective image was replaced (or removed) since the entry was written.
    }
  }
  return split;
}

std::optional<CachedIndex> read_entry(Database& db, const std::string& key) {
  if (schema_version(db) != kSchemaVersion) return std::nullopt;
  std::optional<CachedIndex> out;
  db.read_transaction([&] {  // One snapshot: a concurrent writer cannot interleave.
    const auto rows = db.query(
        "SELECT image_root, class_names, correlation, train_class_counts, node_words, "
        "embedding_dim, node_embeddings, embedding_source, id, layout FROM entries WHERE key = ?1",
        {key});
    if (rows.empty()) return;
    CachedIndex e;
    e.index.image_root = as_string(rows[0][0]);
    e.index.class_names = from_json<std::vector<std::string>>(as_string(rows[0][1]));
    e.correlation = numbers_of<double>(nlohmann::json::parse(as_string(rows[0][2])));
    e.train_class_counts = from_json<std::vector<int64_t>>(as_string(rows[0][3]));
    e.node_words = from_json<std::vector<std::string>>(as_string(rows[0][4]));
    e.embedding_dim = static_cast<int>(as_int(rows[0][5]));
    e.node_embeddings = numbers_of<float>(nlohmann::json::parse(as_string(rows[0][6])));
    e.embedding_source = as_string(rows[0][7]);
    const int64_t entry = as_int(rows[0][8]);
    e.index.layout = as_string(rows[0][9]);
    bool stale = false;
    e.index.train = read_split(db, entry, 0, &stale);
    e.index.val = read_split(db, entry, 1, &stale);
    if (!stale) out = std::move(e);
  });
  return out;
}

}  // namespace

std::string file_identity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return path + ":missing;";
  return path + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ";";
}

std::string index_cache_path(const std::string& cache_root) {
  return (fs::path(cache_root) / "index" / "index-cache.db").string();
}

std::optional<CachedIndex> read_cached_index(const std::string& cache_root,
                                             const std::string& key) {
  const std::string path = index_cache_path(cache_root);
  if (!fs::exists(path)) return std::nullopt;
  try {
    Database db(path);
    return read_entry(db, key);
  } catch (const std::exception&) {
    return std::nullopt;  // Corrupt or foreign file: a miss; write_cached_index rebuilds it.
  }
}

void write_cached_index(const std::string& cache_root, const std::string& key,
                        const std::string& name, const std::string& root, const CachedIndex& e) {
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
    db->query(
        "INSERT INTO entries (key, name, root, image_root, layout, class_names, correlation, "
        "train_class_counts, node_words, embedding_dim, node_embeddings, embedding_source) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        {key, name, root, e.index.image_root, e.index.layout,
         nlohmann::json(e.index.class_names).dump(), number_array(e.correlation).dump(),
         nlohmann::json(e.train_class_counts).dump(), nlohmann::json(e.node_words).dump(),
         int64_t{e.embedding_dim}, number_array(e.node_embeddings).dump(), e.embedding_source});
    const int64_t entry = db->last_insert_id();
    write_split(*db, entry, 0, e.index.train);
    write_split(*db, entry, 1, e.index.val);
  });
}

}  // namespace fer::datasets
