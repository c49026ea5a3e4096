"""Deployment of the edge runner to Raspberry Pis with Ansible."""
