#!/usr/bin/python3
"""Interop: a Python client generated from proto/ with protoc and Debian's
grpc_python_plugin creates a ticket through a real linecrew-server process
and reads it back.

usage: python_interop_test.py <linecrew-server> <source dir> <scratch dir>
"""
import os
import shutil
import subprocess
import sys
import time
import unittest

SERVER, SOURCE, SCRATCH = sys.argv[1:4]
del sys.argv[1:4]


class PythonClient(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(SCRATCH, ignore_errors=True)
        gen = os.path.join(SCRATCH, "gen")
        os.makedirs(gen)
        protos = [os.path.join("linecrew/v1", f) for f in ("common.proto", "dispatch.proto")]
        subprocess.run(
            ["protoc", "-I", os.path.join(SOURCE, "proto"), "--python_out", gen, "--grpc_out", gen,
             "--plugin=protoc-gen-grpc=" + shutil.which("grpc_python_plugin")] + protos,
            check=True)
        sys.path.insert(0, gen)
        config_dir = os.path.join(SCRATCH, "config")
        shutil.copytree(os.path.join(SOURCE, "config"), config_dir)
        with open(os.path.join(config_dir, "server.json"), "w") as f:
            f.write('{"listen": "127.0.0.1:0", "data_dir": "../data"}')
        port_file = os.path.join(SCRATCH, "port")
        cls.server = subprocess.Popen(
            [SERVER, "--config", os.path.join(config_dir, "server.json"), "--port-file", port_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while not os.path.exists(port_file) and time.time() < deadline:
            time.sleep(0.05)
        with open(port_file) as f:
            cls.address = "127.0.0.1:" + f.read().strip()
        with open(os.path.join(SCRATCH, "data", "admin.token")) as f:
            cls.token = f.read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)

    def test_create_and_read_back(self):
        import grpc
        from linecrew.v1 import common_pb2, dispatch_pb2, dispatch_pb2_grpc

        auth = [("authorization", "Bearer " + self.token)]
        with grpc.insecure_channel(self.address) as channel:
            stub = dispatch_pb2_grpc.DispatchServiceStub(channel)
            created = stub.CreateTicket(
                dispatch_pb2.CreateTicketRequest(
                    client_request_id="py-1",
                    customer=common_pb2.Customer(name="Ms Li", phone="+8613800138000", language="en"),
                    location=common_pb2.GeoPoint(lat=30.05, lon=120.35),
                    address="Farm belt, lot 7",
                    first_contact_channel=common_pb2.CHANNEL_APP),
                metadata=auth, timeout=10)
            self.assertTrue(created.created)
            self.assertEqual(created.ticket.zone_class, common_pb2.ZONE_CLASS_RURAL)
            got = stub.GetTicket(dispatch_pb2.GetTicketRequest(ticket_id=created.ticket.id), metadata=auth, timeout=10)
            self.assertEqual(got.ticket.customer.name, "Ms Li")
            self.assertEqual(got.ticket.deadline.seconds - got.ticket.first_contact_time.seconds, 90 * 60)
            with self.assertRaises(grpc.RpcError) as refused:
                stub.GetTicket(dispatch_pb2.GetTicketRequest(ticket_id=created.ticket.id), timeout=10)
            self.assertEqual(refused.exception.code(), grpc.StatusCode.UNAUTHENTICATED)


if __name__ == "__main__":
    unittest.main(verbosity=2)
