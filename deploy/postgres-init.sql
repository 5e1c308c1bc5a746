-- One database per service.
CREATE DATABASE emergency_incident;
CREATE DATABASE emergency_resources;
CREATE DATABASE emergency_casebase;
CREATE DATABASE emergency_gateway;
