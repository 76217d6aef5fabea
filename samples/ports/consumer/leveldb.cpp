// SPDX-License-Identifier: MIT
// Uses the installed leveldb: a database in the guest's file system.
#include <leveldb/db.h>

#include <iostream>
#include <string>

int main() {
    leveldb::DB* db = nullptr;
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::Status status = leveldb::DB::Open(options, "/tmp/consumer.ldb", &db);
    if (!status.ok()) {
        std::cerr << status.ToString() << "\n";
        return 1;
    }
    for (int i = 0; i < 1000; ++i)
        db->Put(leveldb::WriteOptions(), "k" + std::to_string(i), "v" + std::to_string(i));
    std::string value;
    status = db->Get(leveldb::ReadOptions(), "k500", &value);
    int count = 0;
    leveldb::Iterator* it = db->NewIterator(leveldb::ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next())
        ++count;
    delete it;
    delete db;
    std::cout << "leveldb: " << count << " keys, k500=" << value << "\n";
    return status.ok() ? 0 : 1;
}
