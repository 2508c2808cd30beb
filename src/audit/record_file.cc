#include "audit/record_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "audit/chain.h"

namespace tabadul::audit {
namespace {

constexpr char kMarker[] = "TREC";
constexpr size_t kMarkerSize = 4;
constexpr size_t kFrameHead = kMarkerSize + 4;  // marker || u32 n
constexpr size_t kFrameTail = 4;                // u32 n
constexpr uint32_t kMinPayload = 1 + kHashBytes;
constexpr uint32_t kMaxPayload = 256u << 20;  // far above any real record (a page of 10,000)
constexpr size_t kScanChunk = 1 << 20;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

uint32_t GetU32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}

void PutU32(uint32_t v, std::string* out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}

// Reads exactly `n` bytes at `offset`; false when the file ends first.
Result<bool> ReadExactly(int fd, int64_t offset, size_t n, char* out, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out + done, n - done, offset + static_cast<int64_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Internal(Errno("cannot read", path));
    }
    if (r == 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

Status WriteAll(int fd, int64_t offset, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                         offset + static_cast<int64_t>(done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Internal(Errno("cannot write", path));
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Fills `out` from a complete frame's payload (body || hash).
void FillScanned(std::string_view payload, int64_t offset, int64_t next, bool decode_items,
                 ScannedRecord* out) {
  out->offset = offset;
  out->next_offset = next;
  out->record = store::AuditRecord();
  const std::string_view body = payload.substr(0, payload.size() - kHashBytes);
  const std::string_view hash = payload.substr(payload.size() - kHashBytes);
  out->body_status = ParseRecordBody(body, &out->record);
  out->record.hash = ToHex(hash);
  out->hash_matches = RecordHashOfBody(body) == hash;
  if (decode_items && out->body_status.ok()) {
    out->record.items_malformed =
        !store::DecodeAuditItems(out->record.encoded_items, &out->record.items);
  }
}

class FlockGuard {
 public:
  FlockGuard(int fd, int op) : fd_(fd), ok_(::flock(fd, op) == 0) {}
  ~FlockGuard() {
    if (ok_) ::flock(fd_, LOCK_UN);
  }
  bool ok() const { return ok_; }

 private:
  int fd_;
  bool ok_;
};

}  // namespace

// The lock file's contents. Written only under `mu` (and once, under an flock, when created).
struct RecordFile::Shared {
  char magic[16];       // kLockMagic once initialized
  pthread_mutex_t mu;   // process-shared, robust
  int64_t end;          // the record file's size after the last append; -1: unknown
  int64_t tip_seq;
  char tip_hash[kHashBytes];
};

namespace {
constexpr char kLockMagic[16] = {'t', 'a', 'b', 'a', 'd', 'u', 'l', ' ',
                                 'a', 'l', 'o', 'c', 'k', ' ', '1', '\n'};
}  // namespace

// Holds the shared mutex; a holder that died with it leaves `end` unknown, so the tail is
// re-read from the file.
class RecordFile::SharedLock {
 public:
  explicit SharedLock(Shared* shared) : shared_(shared) {
    int rc = pthread_mutex_lock(&shared_->mu);
    if (rc == EOWNERDEAD) {
      shared_->end = -1;
      rc = pthread_mutex_consistent(&shared_->mu);
    }
    ok_ = rc == 0;
  }
  ~SharedLock() {
    if (ok_) pthread_mutex_unlock(&shared_->mu);
  }
  bool ok() const { return ok_; }

 private:
  Shared* shared_;
  bool ok_ = false;
};

Result<std::unique_ptr<RecordFile>> RecordFile::Open(const std::string& path,
                                                     bool fsync_each_append) {
  // The lock file first. Every process holds a shared flock on it while it has the log open;
  // one that gets an exclusive flock is alone, and (re)initializes the mutex and forgets the
  // end: a mutex left locked by a process that died before a reboot, or an end that a power
  // loss or an edit of the file made untrue, cannot survive into a new set of writers.
  const std::string lock_path = path + ".lock";
  const int lfd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0) return Internal(Errno("cannot open the audit log's lock file", lock_path));
  auto fail = [&](const std::string& what) {
    Status st = Internal(Errno(what, lock_path));
    ::close(lfd);
    return st;
  };
  struct stat lst {};
  if (::fstat(lfd, &lst) != 0) return fail("cannot stat the audit log's lock file");
  Shared* shared = nullptr;
  for (int attempt = 0;; ++attempt) {
    if (::flock(lfd, LOCK_EX | LOCK_NB) == 0) {
      if (lst.st_size < static_cast<off_t>(sizeof(Shared)) &&
          ::ftruncate(lfd, sizeof(Shared)) != 0) {
        return fail("cannot size the audit log's lock file");
      }
      void* mapped = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
      if (mapped == MAP_FAILED) return fail("cannot map the audit log's lock file");
      shared = static_cast<Shared*>(mapped);
      std::memset(shared->magic, 0, sizeof shared->magic);
      pthread_mutexattr_t attr;
      pthread_mutexattr_init(&attr);
      pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
      pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
      pthread_mutex_init(&shared->mu, &attr);
      pthread_mutexattr_destroy(&attr);
      shared->end = -1;
      shared->tip_seq = 0;
      std::memset(shared->tip_hash, 0, sizeof shared->tip_hash);
      std::memcpy(shared->magic, kLockMagic, sizeof kLockMagic);
      if (::flock(lfd, LOCK_SH) != 0) {  // from exclusive to shared, for as long as it is open
        ::munmap(shared, sizeof(Shared));
        return fail("cannot lock the audit log's lock file");
      }
      break;
    }
    if (errno != EWOULDBLOCK) return fail("cannot lock the audit log's lock file");
    // Others have it open: wait for whoever is initializing, then use what they set up.
    if (::flock(lfd, LOCK_SH) != 0) return fail("cannot lock the audit log's lock file");
    void* mapped = ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
    if (mapped == MAP_FAILED) return fail("cannot map the audit log's lock file");
    shared = static_cast<Shared*>(mapped);
    if (std::memcmp(shared->magic, kLockMagic, sizeof kLockMagic) == 0) break;
    // The initializer died half-way: start over (it no longer holds its lock).
    ::munmap(shared, sizeof(Shared));
    shared = nullptr;
    ::flock(lfd, LOCK_UN);
    if (attempt == 10) {
      ::close(lfd);
      return FailedPrecondition(lock_path + " is not an audit lock file and cannot be reset");
    }
  }
  auto unmap = [&] {
    ::munmap(shared, sizeof(Shared));
    ::close(lfd);
  };
  const int wfd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (wfd < 0) {
    unmap();
    return Internal(Errno("cannot open the audit log", path));
  }
  const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (rfd < 0) {
    ::close(wfd);
    unmap();
    return Internal(Errno("cannot open the audit log", path));
  }
  std::unique_ptr<RecordFile> file(
      new RecordFile(path, wfd, rfd, lfd, shared, fsync_each_append));
  SharedLock lock(shared);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path);
  struct stat st {};
  if (::fstat(wfd, &st) != 0) return Internal(Errno("cannot stat the audit log", path));
  if (st.st_size == 0) {
    TABADUL_RETURN_IF_ERROR(WriteAll(wfd, 0, std::string_view(kRecordFileHeader,
                                                              kRecordFileHeaderSize), path));
    if (::fdatasync(wfd) != 0) return Internal(Errno("cannot sync the audit log", path));
    shared->end = -1;  // a new file (perhaps one that replaced another): learn it afresh
    return file;
  }
  char header[kRecordFileHeaderSize];
  TABADUL_ASSIGN_OR_RETURN(bool whole, ReadExactly(rfd, 0, sizeof header, header, path));
  if (!whole || std::memcmp(header, kRecordFileHeader, sizeof header) != 0) {
    return FailedPrecondition(path + " is not a tabadul audit log of this format (its first "
                              "bytes are not \"tabadul audit 1\")");
  }
  return file;
}

RecordFile::~RecordFile() {
  ::close(write_fd_);
  ::close(read_fd_);
  ::munmap(shared_, sizeof(Shared));
  ::close(lock_fd_);
}

Result<int64_t> RecordFile::StableSize() {
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  struct stat st {};
  if (::fstat(read_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  return static_cast<int64_t>(st.st_size);
}

void RecordFile::Publish(std::string_view tip_raw) {
  shared_->end = end_;
  shared_->tip_seq = tip_.seq;
  std::memset(shared_->tip_hash, 0, kHashBytes);
  if (tip_.seq > 0 && tip_raw.size() == kHashBytes) {
    std::memcpy(shared_->tip_hash, tip_raw.data(), kHashBytes);
  } else if (tip_.seq > 0) {
    if (auto raw = FromHex(tip_.hash); raw && raw->size() == kHashBytes) {
      std::memcpy(shared_->tip_hash, raw->data(), kHashBytes);
    } else {
      shared_->end = -1;  // cannot be told in 32 bytes: the next appender reads the file
    }
  }
}

Status RecordFile::Catch() {
  const int64_t end = shared_->end;
  if (end >= kRecordFileHeaderSize) {
    if (end != end_) {
      end_ = end;
      tip_ = {shared_->tip_seq,
              shared_->tip_seq == 0 ? std::string() : ToHex({shared_->tip_hash, kHashBytes})};
    }
    return Status::Ok();
  }
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  Status learned = LearnTail(st.st_size);
  if (!learned.ok()) end_ = -1;
  return learned;
}

Status RecordFile::LearnTail(int64_t size) {
  if (size < kRecordFileHeaderSize) {
    return FailedPrecondition(path_ + " is shorter than its header: the audit log was truncated");
  }
  if (size == kRecordFileHeaderSize) {
    end_ = size;
    tip_ = {};
    Publish();
    return Status::Ok();
  }
  // Usually the last frame is whole: its trailing length leads to its start.
  if (size >= kRecordFileHeaderSize + static_cast<int64_t>(kFrameHead + kMinPayload + kFrameTail)) {
    char tail[4];
    TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, size - 4, 4, tail, path_));
    const uint32_t n = got ? GetU32(tail) : 0;
    const int64_t start = size - static_cast<int64_t>(kFrameHead + n + kFrameTail);
    if (got && n >= kMinPayload && n <= kMaxPayload && start >= kRecordFileHeaderSize) {
      TABADUL_ASSIGN_OR_RETURN(auto last, ReadAt(start, /*decode_items=*/false));
      if (last && last->next_offset == size) {
        if (!last->body_status.ok()) {
          return FailedPrecondition("the last record of " + path_ + " does not parse (" +
                                    last->body_status.message() +
                                    "): run `tabadul audit verify`");
        }
        end_ = size;
        tip_ = {last->record.seq, last->record.hash};
        Publish();
        return Status::Ok();
      }
    }
  }
  // Otherwise walk the frames from the last boundary this object knows: the end is a frame torn
  // by a crash (cut it: no appender was told it was written), or damage (refuse).
  const int64_t from = end_ >= kRecordFileHeaderSize && end_ <= size ? end_ : kRecordFileHeaderSize;
  store::AuditTip tip = end_ == from ? tip_ : store::AuditTip{};
  Scanner scan(*this, from, size);
  ScannedRecord rec;
  int64_t bad = 0;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto step, scan.Next(&rec, &bad));
    if (step == Scanner::Step::kRecord) {
      if (!rec.body_status.ok()) {
        return FailedPrecondition("the record at offset " + std::to_string(rec.offset) + " of " +
                                  path_ + " does not parse: run `tabadul audit verify`");
      }
      tip = {rec.record.seq, rec.record.hash};
      continue;
    }
    if (step == Scanner::Step::kMalformed) {
      if (from != kRecordFileHeaderSize) {
        // The boundary this object remembered is not one of this file (it was replaced while
        // open): walk it from its first frame instead.
        end_ = -1;
        tip_ = {};
        return LearnTail(size);
      }
      return FailedPrecondition(path_ + " is damaged at offset " + std::to_string(bad) +
                                " (not a record frame): run `tabadul audit verify`");
    }
    if (step == Scanner::Step::kTorn) {
      if (::ftruncate(write_fd_, scan.offset()) != 0) {
        return Internal(Errno("cannot cut the torn last record of", path_));
      }
    }
    end_ = scan.offset();
    tip_ = tip;
    Publish();
    return Status::Ok();
  }
}

Status RecordFile::Append(std::vector<store::AuditRecord>& records) {
  if (records.empty()) return Status::Ok();
  std::lock_guard mu(append_mu_);
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  TABADUL_RETURN_IF_ERROR(Catch());
  std::string frames;
  std::string body;
  store::AuditTip tip = tip_;
  // The previous hash as raw bytes, carried from record to record without hex round trips.
  std::string prev_raw = tip.seq == 0 ? std::string(kHashBytes, '\0') : FromHex(tip.hash).value_or("");
  if (prev_raw.size() != kHashBytes) return FailedPrecondition("the audit log's tip hash is malformed");
  for (auto& r : records) {
    r.seq = tip.seq + 1;
    r.prev_hash = tip.seq == 0 ? std::string(kGenesisHash) : tip.hash;
    body.clear();
    AppendRecordBody(r, prev_raw, &body);
    std::string hash = RecordHashOfBody(body);
    const auto n = static_cast<uint32_t>(body.size() + hash.size());
    frames.reserve(frames.size() + kFrameHead + n + kFrameTail);
    frames.append(kMarker, kMarkerSize);
    PutU32(n, &frames);
    frames += body;
    frames += hash;
    PutU32(n, &frames);
    r.hash = ToHex(hash);
    tip = {r.seq, r.hash};
    prev_raw = std::move(hash);
  }
  Status written = WriteAll(write_fd_, end_, frames, path_);
  if (written.ok() && fsync_ && ::fdatasync(write_fd_) != 0) {
    written = Internal(Errno("cannot sync the audit log", path_));
  }
  if (!written.ok()) {
    // Take back whatever part was written, so the chain ends where it did.
    if (::ftruncate(write_fd_, end_) != 0) {
      end_ = -1;
      shared_->end = -1;
    }
    return written;
  }
  end_ += static_cast<int64_t>(frames.size());
  tip_ = tip;
  Publish(prev_raw);  // the last record's hash, still raw
  return Status::Ok();
}

Result<store::AuditTip> RecordFile::Tip() {
  std::lock_guard mu(append_mu_);
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  // From the file itself (a head is signed over it), cutting a torn frame if there is one.
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  if (st.st_size != end_ || shared_->end != end_) {
    Status learned = LearnTail(st.st_size);
    if (!learned.ok()) {
      end_ = -1;
      return learned;
    }
  }
  return tip_;
}

Result<std::optional<ScannedRecord>> RecordFile::ReadAt(int64_t offset, bool decode_items) {
  char head[kFrameHead];
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, offset, sizeof head, head, path_));
  if (!got || std::memcmp(head, kMarker, kMarkerSize) != 0) return std::optional<ScannedRecord>();
  const uint32_t n = GetU32(head + kMarkerSize);
  if (n < kMinPayload || n > kMaxPayload) return std::optional<ScannedRecord>();
  std::string rest(n + kFrameTail, '\0');
  TABADUL_ASSIGN_OR_RETURN(got, ReadExactly(read_fd_, offset + static_cast<int64_t>(kFrameHead),
                                            rest.size(), rest.data(), path_));
  if (!got || GetU32(rest.data() + n) != n) return std::optional<ScannedRecord>();
  ScannedRecord out;
  FillScanned(std::string_view(rest).substr(0, n), offset,
              offset + static_cast<int64_t>(kFrameHead + n + kFrameTail), decode_items, &out);
  return std::optional<ScannedRecord>(std::move(out));
}

Result<std::optional<ScannedRecord>> RecordFile::ReadEndingAt(int64_t end) {
  constexpr int64_t kSmallest = kFrameHead + kMinPayload + kFrameTail;
  if (end < kRecordFileHeaderSize + kSmallest) return std::optional<ScannedRecord>();
  char tail[4];
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, end - 4, 4, tail, path_));
  const uint32_t n = got ? GetU32(tail) : 0;
  const int64_t start = end - static_cast<int64_t>(kFrameHead + n + kFrameTail);
  if (!got || n < kMinPayload || n > kMaxPayload || start < kRecordFileHeaderSize) {
    return std::optional<ScannedRecord>();
  }
  TABADUL_ASSIGN_OR_RETURN(auto rec, ReadAt(start, /*decode_items=*/false));
  if (!rec || rec->next_offset != end) return std::optional<ScannedRecord>();
  return rec;
}

// ---- Scanner --------------------------------------------------------------------------------

RecordFile::Scanner::Scanner(const RecordFile& file, int64_t from, int64_t end)
    : file_(file), pos_(from), end_(end), buf_start_(from) {}

Result<bool> RecordFile::Scanner::Ensure(size_t n) {
  if (pos_ + static_cast<int64_t>(n) > end_) return false;
  const int64_t have_from = pos_ - buf_start_;
  if (buf_start_ <= pos_ && have_from + static_cast<int64_t>(n) <= static_cast<int64_t>(buf_.size())) {
    return true;
  }
  // Refill from pos_: at least n bytes, at least a chunk, at most what is left.
  const int64_t want = std::min<int64_t>(end_ - pos_, std::max<int64_t>(n, kScanChunk));
  buf_.resize(static_cast<size_t>(want));
  buf_start_ = pos_;
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(file_.read_fd_, pos_, buf_.size(), buf_.data(),
                                                 file_.path_));
  if (!got) return Internal(file_.path_ + " became shorter while it was read");
  return true;
}

Result<RecordFile::Scanner::Step> RecordFile::Scanner::Next(ScannedRecord* out,
                                                            int64_t* bad_offset) {
  if (pos_ == end_) return Step::kEnd;
  TABADUL_ASSIGN_OR_RETURN(bool got, Ensure(kFrameHead));
  if (!got) return Step::kTorn;
  const char* head = buf_.data() + (pos_ - buf_start_);
  const uint32_t n = GetU32(head + kMarkerSize);
  if (std::memcmp(head, kMarker, kMarkerSize) != 0 || n < kMinPayload || n > kMaxPayload) {
    *bad_offset = pos_;
    return Step::kMalformed;
  }
  const size_t whole = kFrameHead + n + kFrameTail;
  TABADUL_ASSIGN_OR_RETURN(got, Ensure(whole));
  if (!got) return Step::kTorn;
  const char* frame = buf_.data() + (pos_ - buf_start_);
  if (GetU32(frame + kFrameHead + n) != n) {
    *bad_offset = pos_;
    return Step::kMalformed;
  }
  FillScanned(std::string_view(frame + kFrameHead, n), pos_, pos_ + static_cast<int64_t>(whole),
              /*decode_items=*/false, out);
  pos_ += static_cast<int64_t>(whole);
  return Step::kRecord;
}

}  // namespace tabadul::audit
