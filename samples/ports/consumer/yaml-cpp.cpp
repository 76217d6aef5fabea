// SPDX-License-Identifier: MIT
// Uses the installed yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <iostream>

int main() {
    YAML::Node doc = YAML::Load("name: uksdk\nports: [googletest, fmtlib, yaml-cpp, leveldb, zlib, sqlite3, lua5.4]\n");
    std::cout << "name=" << doc["name"].as<std::string>() << " ports=" << doc["ports"].size() << "\n";
}
